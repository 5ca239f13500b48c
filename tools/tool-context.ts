import type { Logger } from '../core/logger.js';

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

export interface KnowledgeSearchRequest {
  readonly tenantId: string;
  /** The knowledge base's name. */
  readonly kb: string;
  readonly query: string;
  readonly mode?: 'keyword' | 'dense' | 'hybrid';
  readonly topK?: number;
  readonly filter?: Readonly<Record<string, string | number | boolean | readonly (string | number | boolean)[]>>;
  readonly signal?: AbortSignal;
}

export interface KnowledgeSearchResult {
  /** The mode that actually ran (hybrid falls back to keyword without an embedder). */
  readonly mode: 'keyword' | 'dense' | 'hybrid';
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
