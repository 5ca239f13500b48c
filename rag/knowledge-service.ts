import type { SqliteDatabase } from '../core/db.js';
import { TrellisError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ChatModel, EmbeddingModel, Reranker } from '../core/models/types.js';
import type { ChunkOptions } from './chunk.js';
import { toIndexEntry } from './index-entry.js';
import { ingestDirectory, writeEntries, type DenseIndex, type IngestEvent, type IngestSummary } from './ingest.js';
import { Documents } from './knowledge/documents.js';
import { KnowledgeBases, type KnowledgeBase } from './knowledge/knowledge-bases.js';
import { indexDocumentGraphs, type GraphIndex } from './extract/graph-index.js';
import { normaliseName } from './extract/normalise-name.js';
import type { GraphExtractor } from './extract/types.js';
import { searchKnowledgeBase, type SearchMode, type SearchResult } from './search.js';
import type { GraphEntity, GraphRelation, GraphStats, GraphStore } from './stores/graph/types.js';
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
  /** The knowledge graph (rag.graph); absent when it is off, and the graph-* modes then say so. */
  readonly graph?: KnowledgeGraphOptions;
  readonly chunking: ChunkOptions;
  readonly defaultTopK: number;
  readonly maxFileBytes: number;
  readonly logger: Logger;
  readonly generateId: () => string;
  readonly now: () => Date;
}

export interface KnowledgeGraphOptions {
  readonly store: GraphStore;
  readonly extractor: GraphExtractor;
  /** Writes graph-global's community summaries; without one they are extractive. */
  readonly model?: ChatModel;
}

/** An entity of a knowledge base's graph and what lies around it. */
export interface KnowledgeGraphNeighbourhood {
  readonly entity: GraphEntity;
  readonly entities: readonly GraphEntity[];
  readonly relations: readonly GraphRelation[];
}

/** Sizes of a knowledge base's graph and its most connected entities. */
export interface KnowledgeGraphStats extends GraphStats {
  readonly topEntities: readonly { readonly id: string; readonly name: string; readonly type: string; readonly chunks: number }[];
  readonly communities: number;
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
  /**
   * The entity a name denotes (matched by normalised name and aliases) with the entities within `depth` hops
   * (default 1, at most 3) and their relations. KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND when no entity has that name.
   */
  graph(request: { tenantId: string; kb: string; entity: string; depth?: number; limit?: number }): Promise<KnowledgeGraphNeighbourhood>;
  graphStats(request: { tenantId: string; kb: string; top?: number }): Promise<KnowledgeGraphStats>;
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

  function graphIndex(dense: DenseIndex | undefined): GraphIndex | undefined {
    const graph = options.graph;
    return graph && { store: graph.store, extractor: graph.extractor, embedder: async () => dense?.embedder };
  }

  function requireGraph(): KnowledgeGraphOptions {
    if (!options.graph) throw new TrellisError('KNOWLEDGE_GRAPH_DISABLED', 'the knowledge graph is off in this installation');
    return options.graph;
  }

  /** Rebuilds a knowledge base's graph from SQLite, a page of documents at a time. */
  async function rebuildGraph(kb: KnowledgeBase, dense: DenseIndex | undefined): Promise<void> {
    const index = graphIndex(dense);
    if (!index) return;
    const scope = scopeOf(kb);
    await index.store.drop(scope);
    const chunkIds = new Map<string, string[]>();
    for (const page of documents.allChunks(kb.id)) {
      for (const chunk of page) {
        const list = chunkIds.get(chunk.documentId);
        if (list) list.push(chunk.id);
        else chunkIds.set(chunk.documentId, [chunk.id]);
      }
    }
    const documentIds = [...chunkIds.keys()].sort();
    for (let start = 0; start < documentIds.length; start += GRAPH_REBUILD_DOCUMENTS) {
      const page = documentIds.slice(start, start + GRAPH_REBUILD_DOCUMENTS).map((documentId) => ({
        documentId,
        chunks: documents.chunks(kb.id, chunkIds.get(documentId)!)
          .slice()
          .sort((left, right) => left.position - right.position)
          .map((chunk) => ({ id: chunk.id, text: chunk.text, title: chunk.title })),
      }));
      await indexDocumentGraphs(index, scope, page);
    }
  }

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
      const dense = await denseIndex();
      return ingestDirectory({
        root: request.root,
        kb,
        knowledgeBases,
        documents,
        keywordStore,
        dense,
        graph: graphIndex(dense),
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
        graph: options.graph && { store: options.graph.store, model: options.graph.model },
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
      await rebuildGraph(kb, dense);
      return { chunks: done, dense: Boolean(dense) };
    },
    async delete(request) {
      const kb = knowledgeBases.getByName(request.tenantId, request.kb);
      await keywordStore.drop(scopeOf(kb));
      const vectorStore = await options.vectorStore?.().catch(() => undefined);
      await vectorStore?.drop(scopeOf(kb));
      await options.graph?.store.drop(scopeOf(kb));
      knowledgeBases.delete(kb);
    },
    async deleteDocument(request) {
      const kb = knowledgeBases.getByName(request.tenantId, request.kb);
      if (!documents.state(kb.id, request.documentId)) {
        throw new TrellisError('DOCUMENT_NOT_FOUND', `document ${request.documentId} not found in knowledge base ${kb.name}`);
      }
      const removed = documents.remove(kb.id, request.documentId);
      await keywordStore.delete(scopeOf(kb), removed);
      await options.graph?.store.removeDocuments(scopeOf(kb), [request.documentId]);
      // Search already ignores chunks SQLite no longer holds; when the vector store is down, the tombstones stay
      // and the next ingest or reindex deletes the vectors.
      const vectorsDeleted = await deleteVectors(scopeOf(kb), removed);
      if (vectorsDeleted) documents.clearTombstones(kb.id, removed);
      return { chunksRemoved: removed.length };
    },
    async graph(request) {
      const { store } = requireGraph();
      const kb = knowledgeBases.getByName(request.tenantId, request.kb);
      const scope = scopeOf(kb);
      const key = normaliseName(request.entity);
      const [entity] = key === '' ? [] : await store.findEntities(scope, { keys: [key], limit: 1 });
      if (!entity) {
        throw new TrellisError('KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND', `no entity named "${request.entity}" in the graph of ${kb.name}`, {
          details: { kb: kb.name, entity: request.entity },
        });
      }
      const depth = Math.min(Math.max(request.depth ?? 1, 0), MAX_GRAPH_DEPTH);
      const around = await store.neighbourhood(scope, { entityIds: [entity.id], depth, limit: request.limit ?? 50 });
      return { entity, entities: around.entities, relations: around.relations };
    },
    async graphStats(request) {
      const { store } = requireGraph();
      const kb = knowledgeBases.getByName(request.tenantId, request.kb);
      const scope = scopeOf(kb);
      const [stats, snapshot, communities] = await Promise.all([store.stats(scope), store.snapshot(scope), store.communities(scope)]);
      const chunks = new Map<string, number>();
      for (const edge of snapshot.mentions) chunks.set(edge.entityId, (chunks.get(edge.entityId) ?? 0) + 1);
      const topEntities = snapshot.entities
        .map((entity) => ({ id: entity.id, name: entity.name, type: entity.type, chunks: chunks.get(entity.id) ?? 0 }))
        .sort((left, right) => right.chunks - left.chunks || (left.id < right.id ? -1 : 1))
        .slice(0, request.top ?? 10);
      return { ...stats, topEntities, communities: communities.length };
    },
  };
}

/** Documents whose graph a rebuild extracts at a time. */
const GRAPH_REBUILD_DOCUMENTS = 64;
/** Hops a graph view may span: beyond three, a neighbourhood is most of a knowledge base. */
const MAX_GRAPH_DEPTH = 3;
