/**
 * Contracts of the retrieval indexes. SQLite's `documents`/`chunks` tables are the source of truth; these stores
 * are indexes over them that ingestion keeps in step and `trellis kb reindex` can rebuild.
 *
 * Every call names its scope (tenant and knowledge base): an implementation must make it impossible for a query
 * in one scope to see another scope's entries, in every mode.
 */

/** Which knowledge base of which tenant an operation touches. */
export interface StoreScope {
  readonly tenantId: string;
  readonly kbId: string;
}

/** Scalar metadata kept beside an indexed chunk, usable in filters. */
export type ChunkMetadata = Readonly<Record<string, string | number | boolean>>;

/** Equality filter on metadata: every key must match one of its values. */
export type MetadataFilter = Readonly<Record<string, string | number | boolean | readonly (string | number | boolean)[]>>;

/** One hit of one index, best first; `score` is the index's own scale (cosine similarity, BM25, ...). */
export interface IndexHit {
  readonly chunkId: string;
  readonly score: number;
}

export interface VectorEntry {
  readonly chunkId: string;
  readonly embedding: readonly number[];
  readonly text: string;
  readonly metadata: ChunkMetadata;
}

/** Dense vectors: Chroma (a sidecar the runtime owns, or a remote server). */
export interface VectorStore {
  readonly name: string;
  upsert(scope: StoreScope, entries: readonly VectorEntry[]): Promise<void>;
  /**
   * `upsert` for entries the caller knows the scope does not hold (chunks new to SQLite: every removal from SQLite
   * leaves a tombstone that is deleted here first), so the store may skip what replacing costs. Should an id exist
   * after all, it takes the new vector, but metadata keys the entry no longer has may linger.
   */
  add(scope: StoreScope, entries: readonly VectorEntry[]): Promise<void>;
  delete(scope: StoreScope, chunkIds: readonly string[]): Promise<void>;
  query(
    scope: StoreScope,
    request: { readonly embedding: readonly number[]; readonly topK: number; readonly filter?: MetadataFilter },
  ): Promise<readonly IndexHit[]>;
  count(scope: StoreScope): Promise<number>;
  /** Removes the whole knowledge base's index. */
  drop(scope: StoreScope): Promise<void>;
}

export interface KeywordEntry {
  readonly chunkId: string;
  readonly text: string;
  readonly metadata: ChunkMetadata;
}

/** Full-text BM25: SQLite FTS5 in the runtime's database. */
export interface KeywordStore {
  readonly name: string;
  upsert(scope: StoreScope, entries: readonly KeywordEntry[]): Promise<void>;
  delete(scope: StoreScope, chunkIds: readonly string[]): Promise<void>;
  query(
    scope: StoreScope,
    request: { readonly text: string; readonly topK: number; readonly filter?: MetadataFilter },
  ): Promise<readonly IndexHit[]>;
  count(scope: StoreScope): Promise<number>;
  drop(scope: StoreScope): Promise<void>;
}
