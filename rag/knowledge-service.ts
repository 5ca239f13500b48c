import type { SqliteDatabase } from '../core/db.js';
import { TrellisError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { EmbeddingModel, Reranker } from '../core/models/types.js';
import type { ChunkOptions } from './chunk.js';
import { toIndexEntry } from './index-entry.js';
import { ingestDirectory, writeEntries, type DenseIndex, type IngestEvent, type IngestSummary } from './ingest.js';
import { Documents } from './knowledge/documents.js';
import { KnowledgeBases, type KnowledgeBase } from './knowledge/knowledge-bases.js';
import { searchKnowledgeBase, type SearchMode, type SearchResult } from './search.js';
import type { KeywordStore, MetadataFilter, StoreScope, VectorStore } from './stores/types.js';

export interface KnowledgeServiceOptions {
  readonly db: SqliteDatabase;
  readonly keywordStore: KeywordStore;
  /**
   * Resolves the vector store (a sidecar may still be starting). Absent when vectors are switched off; a rejection
   * means the store could not be started. Either way knowledge bases then work with keywords alone.
   */
  readonly vectorStore?: () => Promise<VectorStore>;
  /** Resolves the embedder, loading it on first use; a rejection means dense retrieval is unavailable for now. */
  readonly embedder?: () => Promise<EmbeddingModel>;
  /**
   * Resolves the reranker, loading it on first use; undefined when reranking is switched off. A rejection means
   * searches return fused order (and say `rerank: 'none'`) until it loads.
   */
  readonly reranker?: () => Promise<Reranker | undefined>;
  readonly chunking: ChunkOptions;
  readonly defaultTopK: number;
  readonly maxFileBytes: number;
  readonly logger: Logger;
  readonly generateId: () => string;
  readonly now: () => Date;
}

/** Knowledge bases as the entry points use them: one object per runtime, every call scoped to a tenant. */
export interface KnowledgeService {
  readonly knowledgeBases: KnowledgeBases;
  readonly documents: Documents;
  ingest(request: {
    tenantId: string;
    kb: string;
    root: string;
    sync?: boolean;
    include?: string[];
    exclude?: string[];
    signal?: AbortSignal;
    onEvent?: (event: IngestEvent) => void;
  }): Promise<IngestSummary>;
  search(request: {
    tenantId: string;
    kb: string;
    query: string;
    mode?: SearchMode;
    topK?: number;
    filter?: MetadataFilter;
    /** MMR re-ordering (1 = relevance only); see searchKnowledgeBase. */
    diversity?: number;
    signal?: AbortSignal;
  }): Promise<SearchResult>;
  /** Rebuilds both indexes of a knowledge base from SQLite (after changing the embedder, or to repair them). */
  reindex(request: { tenantId: string; kb: string; onProgress?: (done: number, total: number) => void }): Promise<{ chunks: number; dense: boolean }>;
  delete(request: { tenantId: string; kb: string }): Promise<void>;
  /** Removes one document from SQLite and from every index; DOCUMENT_NOT_FOUND when the knowledge base lacks it. */
  deleteDocument(request: { tenantId: string; kb: string; documentId: string }): Promise<{ chunksRemoved: number }>;
}

/**
 * Wires the knowledge layer from its parts. Dense retrieval is best effort: when the embedder cannot be loaded
 * (not downloaded yet, offline), ingestion and search carry on with keywords alone and say so, and a later
 * `reindex` adds the vectors.
 */
export function createKnowledgeService(options: KnowledgeServiceOptions): KnowledgeService {
  const knowledgeBases = new KnowledgeBases(options.db, options.generateId, options.now);
  const documents = new Documents(options.db, options.now);
  const { keywordStore, logger } = options;

  async function denseIndex(): Promise<DenseIndex | undefined> {
    if (!options.vectorStore || !options.embedder) return undefined;
    try {
      const [vectorStore, embedder] = await Promise.all([options.vectorStore(), options.embedder()]);
      return { embedder, vectorStore };
    } catch (error) {
      const failure = TrellisError.isInstance(error) ? error : undefined;
      logger.warn({ code: failure?.code, hint: failure?.hint }, 'dense retrieval unavailable; using keywords only');
      return undefined;
    }
  }

  async function loadReranker(): Promise<Reranker | undefined> {
    if (!options.reranker) return undefined;
    try {
      return await options.reranker();
    } catch (error) {
      const failure = TrellisError.isInstance(error) ? error : undefined;
      logger.warn({ code: failure?.code, hint: failure?.hint }, 'reranker unavailable; keeping fused order');
      return undefined;
    }
  }

  const scopeOf = (kb: KnowledgeBase): StoreScope => ({ tenantId: kb.tenantId, kbId: kb.id });

  async function deleteVectors(scope: StoreScope, chunkIds: readonly string[]): Promise<boolean> {
    if (!options.vectorStore) return true;
    try {
      await (await options.vectorStore()).delete(scope, chunkIds);
      return true;
    } catch (error) {
      const failure = TrellisError.isInstance(error) ? error : undefined;
      logger.warn({ code: failure?.code, hint: failure?.hint }, 'vectors not deleted now; the next ingest or reindex deletes them');
      return false;
    }
  }

  return {
    knowledgeBases,
    documents,
    async ingest(request) {
      const kb = knowledgeBases.ensure(request.tenantId, request.kb);
      return ingestDirectory({
        root: request.root,
        kb,
        knowledgeBases,
        documents,
        keywordStore,
        dense: await denseIndex(),
        chunking: options.chunking,
        walk: { include: request.include, exclude: request.exclude, maxFileBytes: options.maxFileBytes },
        sync: request.sync,
        signal: request.signal,
        onEvent: request.onEvent,
      });
    },
    async search(request) {
      const kb = knowledgeBases.getByName(request.tenantId, request.kb);
      return searchKnowledgeBase({
        kb,
        query: request.query,
        mode: request.mode,
        topK: request.topK ?? options.defaultTopK,
        filter: request.filter,
        diversity: request.diversity === undefined ? undefined : { lambda: request.diversity },
        documents,
        keywordStore,
        dense: await denseIndex(),
        reranker: await loadReranker(),
        signal: request.signal,
      });
    },
    async reindex(request) {
      let kb = knowledgeBases.getByName(request.tenantId, request.kb);
      const scope = scopeOf(kb);
      const dense = await denseIndex();
      await keywordStore.drop(scope);
      await dense?.vectorStore.drop(scope);
      knowledgeBases.unbindEmbedder(kb);
      if (dense) {
        knowledgeBases.bindEmbedder(kb, dense.embedder.modelId, dense.embedder.dimensions);
        kb = knowledgeBases.get(kb.tenantId, kb.id);
      }
      const total = documents.countChunks(kb.id);
      let done = 0;
      for (const page of documents.allChunks(kb.id)) {
        const entries = page.map((chunk) => toIndexEntry({ ...chunk, documentMetadata: chunk.metadata }));
        await writeEntries({ scope, entries, keywordStore, dense });
        done += page.length;
        request.onProgress?.(done, total);
      }
      documents.clearTombstones(kb.id, documents.tombstones(kb.id));
      return { chunks: done, dense: Boolean(dense) };
    },
    async delete(request) {
      const kb = knowledgeBases.getByName(request.tenantId, request.kb);
      await keywordStore.drop(scopeOf(kb));
      const vectorStore = await options.vectorStore?.().catch(() => undefined);
      await vectorStore?.drop(scopeOf(kb));
      knowledgeBases.delete(kb);
    },
    async deleteDocument(request) {
      const kb = knowledgeBases.getByName(request.tenantId, request.kb);
      if (!documents.state(kb.id, request.documentId)) {
        throw new TrellisError('DOCUMENT_NOT_FOUND', `document ${request.documentId} not found in knowledge base ${kb.name}`);
      }
      const removed = documents.remove(kb.id, request.documentId);
      await keywordStore.delete(scopeOf(kb), removed);
      // Search already ignores chunks SQLite no longer holds; when the vector store is down, the tombstones stay
      // and the next ingest or reindex deletes the vectors.
      const vectorsDeleted = await deleteVectors(scopeOf(kb), removed);
      if (vectorsDeleted) documents.clearTombstones(kb.id, removed);
      return { chunksRemoved: removed.length };
    },
  };
}
