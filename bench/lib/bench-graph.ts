/**
 * The knowledge graph of a benchmark knowledge base, built after ingest from its stored chunks so that extraction
 * is timed on its own: the offline extractor (wink-nlp), entity resolution with the bench's embedder when it has
 * one, and the embedded SQLite graph store (or Neo4j at NEO4J_URI with `store: 'neo4j'`).
 */
import { openDatabase } from '../../core/db.js';
import { silentLogger } from '../../core/logger.js';
import type { EmbeddingModel } from '../../core/models/types.js';
import { indexDocumentGraphs, type DocumentChunks } from '../../rag/extract/graph-index.js';
import { createOfflineExtractor } from '../../rag/extract/offline-extractor.js';
import type { Documents } from '../../rag/knowledge/documents.js';
import type { KnowledgeBase } from '../../rag/knowledge/knowledge-bases.js';
import { createNeo4jGraphStore } from '../../rag/stores/graph/neo4j/neo4j-graph-store.js';
import { ragGraphMigrations } from '../../rag/stores/graph/sqlite/migrations.js';
import { createSqliteGraphStore } from '../../rag/stores/graph/sqlite/sqlite-graph-store.js';
import type { GraphStats, GraphStore } from '../../rag/stores/graph/types.js';

export type BenchGraphStore = 'embedded' | 'neo4j';

export interface BenchGraph {
  readonly store: GraphStore;
  /** Chunks extracted, resolved and stored per second (the whole graph build). */
  readonly chunksPerS: number;
  readonly stats: GraphStats;
  close(): Promise<void>;
}

/** Documents handed to one extraction call: large enough to batch, small enough to bound memory. */
const DOCUMENTS_PER_CALL = 200;

export async function buildBenchGraph(options: {
  kb: KnowledgeBase;
  documents: Documents;
  store: BenchGraphStore;
  embedder?: EmbeddingModel;
}): Promise<BenchGraph> {
  const { kb, documents } = options;
  const { store, close } = await openStore(options.store);
  try {
    const byDocument = new Map<string, DocumentChunks['chunks'][number][]>();
    for (const page of documents.allChunks(kb.id)) {
      for (const chunk of page) {
        const list = byDocument.get(chunk.documentId) ?? [];
        list.push({ id: chunk.id, text: chunk.text, title: chunk.title });
        byDocument.set(chunk.documentId, list);
      }
    }
    const all = [...byDocument.entries()].map(([documentId, chunks]) => ({ documentId, chunks }));
    const index = { store, extractor: createOfflineExtractor(), embedder: async () => options.embedder };
    const scope = { tenantId: kb.tenantId, kbId: kb.id };
    const started = performance.now();
    let chunks = 0;
    for (let start = 0; start < all.length; start += DOCUMENTS_PER_CALL) {
      chunks += (await indexDocumentGraphs(index, scope, all.slice(start, start + DOCUMENTS_PER_CALL))).chunks;
    }
    const chunksPerS = chunks / ((performance.now() - started) / 1000);
    return { store, chunksPerS, stats: await store.stats(scope), close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function openStore(kind: BenchGraphStore): Promise<{ store: GraphStore; close(): Promise<void> }> {
  if (kind === 'neo4j') {
    const uri = process.env.NEO4J_URI;
    if (!uri) throw new Error('--graph-store neo4j needs NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD)');
    const store = await createNeo4jGraphStore({ uri, user: process.env.NEO4J_USER, password: process.env.NEO4J_PASSWORD, logger: silentLogger });
    return { store, close: () => store.close() };
  }
  const { db } = openDatabase({ file: ':memory:', migrations: ragGraphMigrations });
  return {
    store: createSqliteGraphStore({ db }),
    async close() {
      db.close();
    },
  };
}
