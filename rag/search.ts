import { TrellisError } from '../core/errors.js';
import { embedMany } from '../core/models/embed-many.js';
import type { Reranker } from '../core/models/types.js';
import type { DenseIndex } from './ingest.js';
import type { Documents } from './knowledge/documents.js';
import type { KnowledgeBase } from './knowledge/knowledge-bases.js';
import { isGraphSearchMode, retrieveGraphMode, type GraphModeHit, type GraphSearchContext, type GraphSearchMode } from './retrieve/graph-search.js';
import { retrieveHybrid } from './retrieve/hybrid.js';
import { selectMmr } from './retrieve/mmr.js';
import { DEFAULT_RERANK_CANDIDATES, rerankHits, type RerankWhy } from './retrieve/rerank.js';
import { matchesMetadataFilter } from './stores/metadata-filter.js';
import type { KeywordStore, MetadataFilter, StoreScope } from './stores/types.js';

export type SearchMode = 'keyword' | 'dense' | 'hybrid' | GraphSearchMode;

/** Where a passage comes from, precisely enough to quote it. */
export interface Citation {
  readonly kb: string;
  readonly documentId: string;
  readonly source: string;
  readonly title: string | null;
  /** Character span in the stored document text. */
  readonly start: number;
  readonly end: number;
  readonly page: number | null;
}

/** Why a hit ranked where it did: each index's rank and raw score, and the reranker's when one rescored it. */
export type SearchWhy = GraphModeHit['why'] & { readonly rerank?: RerankWhy };

export interface SearchHit {
  readonly chunkId: string;
  readonly text: string;
  /**
   * The fused retrieval score (the index's own in single-index modes). After reranking, hits are ordered by
   * `why.rerank.score` instead, so this need not decrease down the list.
   */
  readonly score: number;
  /** The rank and raw score each index (and the reranker) gave the chunk. */
  readonly why: SearchWhy;
  readonly citation: Citation;
}

export interface SearchResult {
  /** The mode that actually ran: `hybrid` falls back to `keyword` when no embedder is available. */
  readonly mode: SearchMode;
  readonly hits: readonly SearchHit[];
  /** The reranker's modelId when one re-ordered the hits, else `none`: the hits are in fused order. */
  readonly rerank: string;
  /** Set when the result is less than what was asked for, with the reason. */
  readonly notice?: string;
}

export interface SearchKnowledgeBaseOptions {
  readonly kb: KnowledgeBase;
  readonly query: string;
  readonly mode?: SearchMode;
  readonly topK?: number;
  readonly filter?: MetadataFilter;
  readonly documents: Documents;
  readonly keywordStore: KeywordStore;
  readonly dense?: DenseIndex;
  /** The knowledge graph, for the graph-* modes (which throw KNOWLEDGE_GRAPH_DISABLED without it). */
  readonly graph?: GraphSearchContext;
  /** A cross-encoder that re-orders the best fused hits; without one, hits stay in fused order. */
  readonly reranker?: Reranker;
  /** How many fused hits the reranker rescores (default 30); topK are returned from them. */
  readonly rerank?: { readonly candidates?: number };
  /**
   * Maximal marginal relevance over the candidates (needs the embedder): 1 keeps the ranking, lower values trade
   * relevance for variety, so near-duplicate passages do not fill the answer's context. Off when absent.
   */
  readonly diversity?: { readonly lambda: number };
  readonly signal?: AbortSignal;
}

/**
 * Re-orders the candidates by maximal marginal relevance. Passages are embedded here rather than read back from
 * the vector store, whose query answers carry no vectors; a few dozen short texts cost milliseconds.
 */
async function diversify<T extends { hit: { chunk: { text: string } } }>(
  ordered: readonly T[],
  options: { query: string; topK: number; lambda: number; dense: DenseIndex; signal?: AbortSignal },
): Promise<T[]> {
  if (ordered.length <= 1) return [...ordered];
  const { embedder } = options.dense;
  const [{ embeddings: [queryEmbedding] }, { embeddings }] = await Promise.all([
    embedMany(embedder, [options.query], { inputType: 'query', signal: options.signal }),
    embedMany(embedder, ordered.map((item) => item.hit.chunk.text), { inputType: 'document', signal: options.signal }),
  ]);
  const picked = selectMmr({
    queryEmbedding: queryEmbedding!,
    candidates: ordered.map((_, index) => ({ chunkId: String(index), embedding: embeddings[index]! })),
    topK: options.topK,
    lambda: options.lambda,
  });
  return picked.map((hit) => ordered[Number(hit.chunkId)]!);
}

const DENSE_MISSING =
  'no embedder is available, so this search used keywords only; run `trellis models pull bge-small-en-v1.5` ' +
  '(or set TRELLIS_EMBEDDING_PATH) and `trellis kb reindex` for hybrid search';

/**
 * Searches one knowledge base and returns passages with citations and why each ranked where it did. With a
 * reranker, the best `rerank.candidates` fused hits are rescored by it and the best topK of them returned.
 */
export async function searchKnowledgeBase(options: SearchKnowledgeBaseOptions): Promise<SearchResult> {
  const { kb, query, documents, keywordStore, filter, signal, reranker } = options;
  const topK = options.topK ?? 8;
  const candidates = options.rerank?.candidates ?? DEFAULT_RERANK_CANDIDATES;
  // The reranker can only promote what retrieval returned, so retrieval fetches the whole candidate list.
  const fetchK = reranker || options.diversity ? Math.max(topK, candidates) : topK;
  const requested = options.mode ?? 'hybrid';
  if (query.trim() === '') throw new TrellisError('API_BODY_INVALID', 'the search query is empty');
  const scope: StoreScope = { tenantId: kb.tenantId, kbId: kb.id };
  // Vectors made by another model are meaningless to this one's queries; until a reindex, search without them.
  const dense = options.dense && kb.embedder === options.dense.embedder.modelId ? options.dense : undefined;

  let mode: SearchMode;
  let hits: readonly GraphModeHit[];
  let notice: string | undefined;
  const hybridFor = async (k: number) => {
    const result = await retrieveHybrid({ query, scope, keywordStore, vectorStore: dense?.vectorStore, embedder: dense?.embedder, topK: k, filter, signal });
    if (!dense) notice = DENSE_MISSING;
    return result.hits;
  };
  if (isGraphSearchMode(requested)) {
    mode = requested;
    const found = await retrieveGraphMode({
      mode: requested,
      graph: options.graph,
      scope,
      query,
      topK: filter ? Math.max(fetchK * 4, 100) : fetchK,
      hybrid: hybridFor,
      chunkTexts: async (ids) => new Map(documents.chunks(kb.id, ids).map((chunk) => [chunk.id, chunk.text])),
      signal,
    });
    // The graph indexes no metadata: a filter applies to what it found (which is why more was asked for).
    hits = filter
      ? filterByMetadata(found, new Map(documents.chunks(kb.id, found.map((hit) => hit.chunkId)).map((chunk) => [chunk.id, chunk])), filter)
      : found;
  } else if (requested === 'dense') {
    if (!dense) throw new TrellisError('MODEL_UNAVAILABLE', `dense search of ${kb.name} needs its embedder: ${DENSE_MISSING}`);
    const { embeddings } = await embedMany(dense.embedder, [query], { inputType: 'query', signal });
    const found = await dense.vectorStore.query(scope, { embedding: embeddings[0]!, topK: fetchK, filter });
    mode = 'dense';
    hits = found.map((hit, index) => ({ chunkId: hit.chunkId, score: hit.score, why: { dense: { ...hit, rank: index + 1 } } }));
  } else {
    const useDense = requested === 'hybrid' ? dense : undefined;
    const result = await retrieveHybrid({
      query,
      scope,
      keywordStore,
      vectorStore: useDense?.vectorStore,
      embedder: useDense?.embedder,
      topK: fetchK,
      filter,
      signal,
    });
    mode = result.mode;
    hits = result.hits;
    if (requested === 'hybrid' && !useDense) notice = DENSE_MISSING;
  }

  const stored = new Map(documents.chunks(kb.id, hits.map((hit) => hit.chunkId)).map((chunk) => [chunk.id, chunk]));
  // An index entry without its chunk is a leftover of an interrupted change; the next ingest removes it.
  const found = hits.flatMap((hit) => {
    const chunk = stored.get(hit.chunkId);
    return chunk ? [{ hit, chunk }] : [];
  });
  let ordered = reranker
    ? await rerankHits({ query, hits: found, textOf: ({ chunk }) => chunk.text, reranker, candidates, signal })
    : found.map((hit) => ({ hit, rerank: undefined }));
  if (options.diversity) {
    if (dense) ordered = await diversify(ordered, { query, topK, lambda: options.diversity.lambda, dense, signal });
    else notice = notice ?? `diversity needs the embedder; ${DENSE_MISSING}`;
  }

  return {
    mode,
    notice,
    rerank: reranker ? reranker.modelId : 'none',
    hits: ordered.slice(0, topK).map(({ hit: { hit, chunk }, rerank }): SearchHit => {
      const citation: Citation = {
        kb: kb.name,
        documentId: chunk.documentId,
        source: chunk.source,
        title: chunk.title,
        start: chunk.start,
        end: chunk.end,
        page: chunk.page,
      };
      const why: SearchWhy = rerank ? { ...hit.why, rerank } : hit.why;
      return { chunkId: hit.chunkId, text: chunk.text, score: hit.score, why, citation };
    }),
  };
}

function filterByMetadata(
  hits: readonly GraphModeHit[],
  chunks: ReadonlyMap<string, { readonly documentId: string; readonly source: string; readonly metadata: Readonly<Record<string, string | number | boolean>> }>,
  filter: MetadataFilter,
): GraphModeHit[] {
  return hits.filter((hit) => {
    const chunk = chunks.get(hit.chunkId);
    return chunk !== undefined && matchesMetadataFilter({ ...chunk.metadata, source: chunk.source, documentId: chunk.documentId }, filter);
  });
}
