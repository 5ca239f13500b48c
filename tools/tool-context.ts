import type { Logger } from '../core/logger.js';
import type { GraphEntity as KnowledgeGraphEntity, GraphRelation as KnowledgeGraphRelation } from '../rag/stores/graph/types.js';

/** Where a passage comes from, precisely enough to quote it (the shape rag's search returns). */
export interface KnowledgeCitation {
  readonly kb: string;
  readonly documentId: string;
  readonly source: string;
  readonly title: string | null;
  /** Character span in the stored document text. */
  readonly start: number;
  readonly end: number;
  readonly page: number | null;
}

/** One passage found by a knowledge search, best first. */
export interface KnowledgeHit {
  readonly chunkId: string;
  readonly text: string;
  readonly score: number;
  readonly citation: KnowledgeCitation;
}

/** Search modes: the graph-* ones need the knowledge graph (rag.graph.enabled). */
export type KnowledgeSearchMode = 'keyword' | 'dense' | 'hybrid' | 'graph-local' | 'graph-multihop' | 'graph-global' | 'graph-hybrid';

export interface KnowledgeSearchRequest {
  readonly tenantId: string;
  /** The knowledge base's name. */
  readonly kb: string;
  readonly query: string;
  readonly mode?: KnowledgeSearchMode;
  readonly topK?: number;
  readonly filter?: Readonly<Record<string, string | number | boolean | readonly (string | number | boolean)[]>>;
  readonly signal?: AbortSignal;
}

export interface KnowledgeSearchResult {
  /** The mode that actually ran (hybrid falls back to keyword without an embedder). */
  readonly mode: KnowledgeSearchMode;
  readonly hits: readonly KnowledgeHit[];
  /** Set when the result is less than what was asked for, with the reason. */
  readonly notice?: string;
}

/**
 * The one knowledge capability a tool gets: rag's `KnowledgeService.search` satisfies it structurally, so tools
 * depend on this port and never on rag's internals.
 */
export interface KnowledgeSearch {
  search(request: KnowledgeSearchRequest): Promise<KnowledgeSearchResult>;
  /** The entities and relations around a named entity; absent where the knowledge graph is not wired in. */
  graph?(request: KnowledgeGraphRequest): Promise<KnowledgeGraphView>;
}

export interface KnowledgeGraphRequest {
  readonly tenantId: string;
  readonly kb: string;
  /** An entity name, matched ignoring case, accents and punctuation (and by its aliases). */
  readonly entity: string;
  /** Relation hops around it (0 to 3). */
  readonly depth?: number;
  /** Most entities returned. */
  readonly limit?: number;
}

/** One entity of the knowledge graph, with the chunks that support it; a relation between two of them. */
export type { GraphEntity as KnowledgeGraphEntity, GraphRelation as KnowledgeGraphRelation } from '../rag/stores/graph/types.js';

/** An entity and its surroundings in the knowledge graph. */
export interface KnowledgeGraphView {
  readonly entity: KnowledgeGraphEntity;
  /** The entity itself and those within `depth` hops, heaviest first. */
  readonly entities: readonly KnowledgeGraphEntity[];
  readonly relations: readonly KnowledgeGraphRelation[];
}

/**
 * What a tool's `execute` receives besides its input: a narrow view of one run, never the whole runtime, so a tool
 * can be tested with a handful of plain values.
 */
export interface ToolContext {
  /** Every data access is scoped to this tenant. */
  readonly tenantId: string;
  readonly runId?: string;
  readonly threadId?: string;
  /** Aborted when the call times out or the run is cancelled; pass it on to every I/O call. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly knowledge: KnowledgeSearch;
  /** The knowledge base to search when a call names none (the run's or the tenant's default). */
  readonly defaultKb?: string;
}
