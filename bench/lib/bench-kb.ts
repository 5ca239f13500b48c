/**
 * A throwaway knowledge base for benchmarks, wired the way the runtime wires one: SQLite (documents, chunks, FTS5
 * keyword index) in a temp folder, and optionally a dense index on a real Chroma sidecar or the in-memory store.
 * `close()` stops the sidecar and closes the database; the caller removes the folder.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../core/db.js';
import { silentLogger } from '../../core/logger.js';
import { coreMigrations } from '../../core/migrations.js';
import type { EmbeddingModel } from '../../core/models/types.js';
import type { DenseIndex } from '../../rag/ingest.js';
import { Documents } from '../../rag/knowledge/documents.js';
import { KnowledgeBases, type KnowledgeBase } from '../../rag/knowledge/knowledge-bases.js';
import { knowledgeMigrations } from '../../rag/knowledge/migrations.js';
import { ragKeywordMigrations } from '../../rag/migrations.js';
import { createFts5KeywordStore } from '../../rag/stores/keyword/fts5-keyword-store.js';
import type { Fts5QueryOptions } from '../../rag/stores/keyword/fts5-query.js';
import type { KeywordStore } from '../../rag/stores/types.js';
import { startChromaSidecar, type ChromaSidecar } from '../../rag/stores/vector/chroma-sidecar.js';
import { createChromaVectorStore } from '../../rag/stores/vector/chroma-vector-store.js';
import { createMemoryVectorStore } from '../../rag/stores/vector/memory-vector-store.js';

export type BenchVector = 'chroma' | 'memory' | 'none';

export interface BenchKb {
  readonly db: SqliteDatabase;
  readonly kb: KnowledgeBase;
  readonly knowledgeBases: KnowledgeBases;
  readonly documents: Documents;
  readonly keywordStore: KeywordStore;
  readonly dense?: DenseIndex;
  readonly sidecar?: ChromaSidecar;
  /** The knowledge base as stored now (its embedder binding is set by the first dense ingest). */
  current(): KnowledgeBase;
  close(): Promise<void>;
}

export async function openBenchKb(options: {
  workDir: string;
  vector: BenchVector;
  embedder?: EmbeddingModel;
  name?: string;
  /** How free-text queries become FTS5 queries (stop words); the store's defaults when absent. */
  keywordQuery?: Fts5QueryOptions;
}): Promise<BenchKb> {
  const { db } = openDatabase({
    file: path.join(options.workDir, 'trellis.db'),
    migrations: [...coreMigrations, ...knowledgeMigrations, ...ragKeywordMigrations],
  });
  let sidecar: ChromaSidecar | undefined;
  try {
    const knowledgeBases = new KnowledgeBases(db, randomUUID, () => new Date());
    const documents = new Documents(db, () => new Date());
    const kb = knowledgeBases.ensure('bench', options.name ?? 'bench');
    const keywordStore = createFts5KeywordStore({ db, query: options.keywordQuery });
    let dense: DenseIndex | undefined;
    if (options.vector !== 'none') {
      if (!options.embedder) throw new Error('a dense index needs an embedder');
      if (options.vector === 'chroma') {
        sidecar = await startChromaSidecar({ dataDir: path.join(options.workDir, 'chroma'), logger: silentLogger });
        dense = { embedder: options.embedder, vectorStore: createChromaVectorStore({ url: sidecar.url, logger: silentLogger }) };
      } else {
        dense = { embedder: options.embedder, vectorStore: createMemoryVectorStore() };
      }
    }
    return {
      db, kb, knowledgeBases, documents, keywordStore, dense, sidecar,
      current: () => knowledgeBases.get(kb.tenantId, kb.id),
      async close() {
        try {
          await sidecar?.stop();
        } finally {
          db.close();
        }
      },
    };
  } catch (error) {
    await sidecar?.stop();
    db.close();
    throw error;
  }
}
