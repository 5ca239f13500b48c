import type { StoreScope } from '../types.js';

/**
 * Contract of the knowledge graph: entities and relations extracted from chunks, each kept with its provenance
 * (the chunk ids that support it). SQLite's chunks are the source of truth; the graph is an index over them that
 * ingestion keeps in step, like the vector and keyword stores.
 *
 * Provenance is the unit of change. An entity or relation exists exactly while at least one chunk supports it:
 * replacing or removing a document's chunks removes their support, and whatever is left with none disappears.
 * Everything an entity or relation shows (name, type, description, weight) is derived from its remaining support,
 * so the graph is a function of the chunks it was built from: re-ingesting the same content gives the same graph.
 *
 * Every call names its scope (tenant and knowledge base); no call may see another scope's entities.
 */

/**
 * One entity as extraction saw it in one chunk, after resolution gave it its `key`. Mentions are what a store
 * keeps; the entity a reader sees is the sum of its mentions.
 */
export interface EntityMention {
  /** Resolved identity: the canonical normalised name (see rag/extract/normalise-name.ts). Equal keys, one entity. */
  readonly key: string;
  /** The name as written in the chunk ("Edward D. Wood Jr."). */
  readonly name: string;
  /** Free-form but lower-case by convention: `person`, `organization`, `place`, `work`, `date`, `concept`, ... */
  readonly type: string;
  /** What this chunk says about the entity; may be empty (offline extraction gives none). */
  readonly description: string;
  /**
   * Further normalised keys under which `findEntities` must find the entity: the mention's own normalised name,
   * acronyms, name variants, blocking keys. Chosen by the resolver; a store treats them as opaque strings.
   */
  readonly aliases: readonly string[];
  /** The chunk that mentions it. */
  readonly chunkId: string;
  /** How strongly the chunk is about the entity (> 0; 1 = an ordinary mention). */
  readonly weight: number;
}

/** One relation as extraction saw it in one chunk, between two resolved entity keys. */
export interface RelationMention {
  readonly sourceKey: string;
  readonly targetKey: string;
  /** Lower-case snake_case by convention: `directed`, `born_in`, `co_occurs` (offline sentence co-occurrence). */
  readonly type: string;
  readonly description: string;
  /** Strength of this one piece of evidence (> 0). */
  readonly weight: number;
  readonly chunkId: string;
}

/** Everything one document contributes to the graph. */
export interface DocumentGraph {
  readonly documentId: string;
  readonly entities: readonly EntityMention[];
  readonly relations: readonly RelationMention[];
}

/** An entity as the graph holds it: the union of its mentions. */
export interface GraphEntity {
  /** Its resolved key; stable while any mention with that key remains. */
  readonly id: string;
  /** The most frequent surface name among its mentions (ties: the longest, then the first in code-point order). */
  readonly name: string;
  /** The most frequent type among its mentions (ties: first in code-point order). */
  readonly type: string;
  /** Distinct non-empty mention descriptions, ordered by chunk id, joined by newlines (bounded in length). */
  readonly description: string;
  /** Every distinct alias key and surface name of its mentions, sorted. */
  readonly aliases: readonly string[];
  /** Supporting chunk ids, sorted. */
  readonly chunkIds: readonly string[];
  /** Sum of its mentions' weights. */
  readonly weight: number;
}

/** A relation as the graph holds it: one per (source, type, target), the union of its mentions. */
export interface GraphRelation {
  /** Deterministic from source, type and target. */
  readonly id: string;
  readonly sourceId: string;
  readonly targetId: string;
  readonly type: string;
  /** Distinct non-empty mention descriptions, ordered by chunk id, joined by newlines (bounded in length). */
  readonly description: string;
  /** Sum of its mentions' weights. */
  readonly weight: number;
  /** Supporting chunk ids, sorted. */
  readonly chunkIds: readonly string[];
}

/** An entity–chunk edge of the bipartite graph multi-hop retrieval walks (HippoRAG's passage nodes). */
export interface EntityChunkEdge {
  readonly entityId: string;
  readonly chunkId: string;
  /** Sum of the weights of the entity's mentions in that chunk. */
  readonly weight: number;
}

/**
 * The whole graph of a scope in the compact form algorithms load (PageRank, communities). `revision` changes
 * whenever the scope's graph changes, so a caller may cache what it derives from a snapshot until it does.
 */
export interface GraphSnapshot {
  readonly revision: number;
  readonly entities: readonly { readonly id: string; readonly name: string; readonly type: string; readonly weight: number }[];
  readonly relations: readonly { readonly sourceId: string; readonly targetId: string; readonly type: string; readonly weight: number }[];
  readonly mentions: readonly EntityChunkEdge[];
}

/** The entities around some entities, within `depth` relation hops. */
export interface GraphNeighbourhood {
  readonly entities: readonly GraphEntity[];
  /** Relations whose both ends are among `entities`. */
  readonly relations: readonly GraphRelation[];
}

/** A community of densely related entities (Louvain), with its summary once one was written. */
export interface GraphCommunity {
  /** Deterministic from its members: the same members keep the same id (and so their summary) across revisions. */
  readonly id: string;
  /** Member entity ids, most weighty first. */
  readonly entityIds: readonly string[];
  /** Chunks supporting its members, most shared first. */
  readonly chunkIds: readonly string[];
  /** Sum of its members' weights: how much of the knowledge base it covers. */
  readonly weight: number;
  /** Undefined until `saveCommunitySummaries` stores one for this id. */
  readonly summary?: string;
}

export interface GraphStats {
  readonly entities: number;
  readonly relations: number;
  readonly mentions: number;
  /** Distinct chunks with at least one entity. */
  readonly chunks: number;
  readonly revision: number;
}

/**
 * The knowledge graph: embedded SQLite + graphology by default (rag/stores/graph/sqlite), Neo4j at scale
 * (rag/stores/graph/neo4j). Both are built by rag/stores/graph/create-graph-store.ts.
 */
export interface GraphStore {
  readonly name: string;
  /**
   * Makes `graph` the whole contribution of its document: the document's previous mentions are removed, the new
   * ones added, in one transaction. Entities and relations left with no mention are deleted.
   */
  replaceDocument(scope: StoreScope, graph: DocumentGraph): Promise<void>;
  /** Removes every mention of these documents (deleting what is left unsupported). */
  removeDocuments(scope: StoreScope, documentIds: readonly string[]): Promise<void>;
  /** Removes every mention supported by these chunks (deleting what is left unsupported). */
  removeChunks(scope: StoreScope, chunkIds: readonly string[]): Promise<void>;
  /** Entities whose key or any alias equals one of `keys` (already normalised), at most `limit` (default 50). */
  findEntities(scope: StoreScope, request: { readonly keys: readonly string[]; readonly limit?: number }): Promise<readonly GraphEntity[]>;
  /** The entities with these ids that exist, in no particular order. */
  getEntities(scope: StoreScope, ids: readonly string[]): Promise<readonly GraphEntity[]>;
  /**
   * The given entities and those within `depth` hops (0 = just them), heaviest relations first, at most `limit`
   * entities (default 50; the given ones always included).
   */
  neighbourhood(
    scope: StoreScope,
    request: { readonly entityIds: readonly string[]; readonly depth: number; readonly limit?: number },
  ): Promise<GraphNeighbourhood>;
  /** The relations touching these entities, heaviest first, at most `limit` (default 200). */
  relationsOf(scope: StoreScope, request: { readonly entityIds: readonly string[]; readonly limit?: number }): Promise<readonly GraphRelation[]>;
  /** Entity–chunk edges of these entities (all of the scope's when `entityIds` is absent). */
  entityChunkEdges(scope: StoreScope, request?: { readonly entityIds?: readonly string[] }): Promise<readonly EntityChunkEdge[]>;
  /** The whole scope's graph, compactly. */
  snapshot(scope: StoreScope): Promise<GraphSnapshot>;
  /** Changes whenever the scope's graph changes; cheap. */
  revision(scope: StoreScope): Promise<number>;
  /** Communities of the current graph (computed on first call per revision), heaviest first. */
  communities(scope: StoreScope): Promise<readonly GraphCommunity[]>;
  /** Stores summaries by community id; summaries of communities that no longer exist may be dropped. */
  saveCommunitySummaries(scope: StoreScope, summaries: readonly { readonly communityId: string; readonly summary: string }[]): Promise<void>;
  stats(scope: StoreScope): Promise<GraphStats>;
  /** Removes the whole knowledge base's graph. */
  drop(scope: StoreScope): Promise<void>;
  /** Releases connections (a no-op for the embedded store). */
  close(): Promise<void>;
}
