import neo4j, { type Driver, type ManagedTransaction } from 'neo4j-driver';
import { TrellisError } from '../../../../core/errors.js';
import type { Logger } from '../../../../core/logger.js';
import type { StoreScope } from '../../types.js';
import {
  aggregateEntities,
  aggregateRelations,
  compareCodePoints,
  type StoredEntityMention,
  type StoredRelationMention,
} from '../aggregate-mentions.js';
import { detectCommunities } from '../detect-communities.js';
import type { DocumentGraph, EntityChunkEdge, GraphCommunity, GraphEntity, GraphRelation, GraphSnapshot, GraphStore } from '../types.js';
import { CYPHER, SCHEMA_STATEMENTS, type CypherStatement } from './cypher.js';
import { toNeo4jError } from './neo4j-errors.js';
import { runStatement, toNumber } from './run-statement.js';

/** Options for {@link createNeo4jGraphStore}. */
export interface Neo4jGraphStoreOptions {
  /** `neo4j://`, `neo4j+s://`, `bolt://` or `bolt+s://` URI of the server or cluster. */
  readonly uri: string;
  /** Default `neo4j`. */
  readonly user?: string;
  /** Absent for a server with authentication off. */
  readonly password?: string;
  /** Default `neo4j`. A database of its own keeps Trellis's labels apart from other data. */
  readonly database?: string;
  readonly logger?: Logger;
  /** How long to wait for a connection (default 5 s); twice this for one from the pool, handshake included. */
  readonly connectionTimeoutMs?: number;
  /** How long managed transactions retry transient failures (default 15 s). */
  readonly maxRetryTimeMs?: number;
}

const DEFAULT_FIND_LIMIT = 50;
const DEFAULT_NEIGHBOURHOOD_LIMIT = 50;
const DEFAULT_RELATIONS_LIMIT = 200;
const DROP_BATCH = 10_000;
const MAX_CACHED_SCOPES = 64;

type Scope = { tenantId: string; kbId: string };
type Removal = { readonly documentIds: readonly string[] } | { readonly chunkIds: readonly string[] };

/**
 * The {@link GraphStore} on Neo4j, for graphs beyond one machine's SQLite. Same semantics as the embedded store,
 * by construction: mentions are stored per chunk (see ./cypher.ts for the model) and folded into `Entity` nodes and
 * `RELATES_TO` relationships with the embedded store's own functions, inside the transaction that changed them.
 * Communities are computed as the embedded store does, with graphology's Louvain over the scope's snapshot, so
 * no Graph Data Science plugin is needed; they are cached per revision.
 *
 * Every call runs in a managed transaction (`executeRead`/`executeWrite`), which the driver retries on transient
 * failures; what still fails becomes GRAPH_STORE_UNREACHABLE, GRAPH_STORE_AUTH_FAILED or GRAPH_STORE_QUERY_FAILED. Connectivity is
 * checked and the constraints and indexes are created (IF NOT EXISTS) before this resolves.
 *
 * @example
 * const graphStore = await createNeo4jGraphStore({ uri: 'neo4j://localhost:7687', user: 'neo4j', password });
 */
export async function createNeo4jGraphStore(options: Neo4jGraphStoreOptions): Promise<GraphStore> {
  const uri = displayUri(options.uri);
  const database = options.database ?? 'neo4j';
  let driver: Driver;
  try {
    driver = neo4j.driver(
      options.uri,
      options.password === undefined ? undefined : neo4j.auth.basic(options.user ?? 'neo4j', options.password),
      {
        connectionTimeout: options.connectionTimeoutMs ?? 5000,
        // The driver's 60 s default would hold start-up that long when something listens but never answers Bolt.
        connectionAcquisitionTimeout: 2 * (options.connectionTimeoutMs ?? 5000),
        maxTransactionRetryTime: options.maxRetryTimeMs ?? 15_000,
        userAgent: 'trellis-graph-store',
      },
    );
  } catch (error) {
    throw new TrellisError('CONFIG_INVALID', `rag.graph.neo4j.uri ${uri} is not a Neo4j URI: ${error instanceof Error ? error.message : String(error)}`, {
      hint: 'Set NEO4J_URI (rag.graph.neo4j.uri) to neo4j://host:7687 or bolt://host:7687 (+s for TLS).',
      cause: error,
    });
  }
  try {
    await driver.verifyConnectivity({ database });
    for (const schema of SCHEMA_STATEMENTS) await write(driver, database, (tx) => runStatement(tx, schema, {}));
    options.logger?.debug({ uri, database }, 'neo4j graph store ready');
  } catch (error) {
    await driver.close();
    throw toNeo4jError(error, 'connect', uri);
  }
  return new Neo4jGraphStore(driver, database, uri);
}

function read<T>(driver: Driver, database: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
  return withSession(driver, database, 'READ', (session) => session.executeRead(work));
}

function write<T>(driver: Driver, database: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
  return withSession(driver, database, 'WRITE', (session) => session.executeWrite(work));
}

async function withSession<T>(
  driver: Driver,
  database: string,
  mode: 'READ' | 'WRITE',
  use: (session: ReturnType<Driver['session']>) => Promise<T>,
): Promise<T> {
  const session = driver.session({ database, defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE });
  try {
    return await use(session);
  } finally {
    await session.close();
  }
}

class Neo4jGraphStore implements GraphStore {
  readonly name = 'neo4j';
  private readonly communityCache = new Map<string, { revision: number; communities: readonly GraphCommunity[] }>();

  constructor(
    private readonly driver: Driver,
    private readonly database: string,
    private readonly uri: string,
  ) {}

  async replaceDocument(scope: StoreScope, graph: DocumentGraph): Promise<void> {
    await this.write('replaceDocument', (tx) => this.rewrite(tx, scopeOf(scope), { documentIds: [graph.documentId] }, graph));
  }

  async removeDocuments(scope: StoreScope, documentIds: readonly string[]): Promise<void> {
    if (documentIds.length === 0) return;
    await this.write('removeDocuments', (tx) => this.rewrite(tx, scopeOf(scope), { documentIds: [...documentIds] }));
  }

  async removeChunks(scope: StoreScope, chunkIds: readonly string[]): Promise<void> {
    if (chunkIds.length === 0) return;
    await this.write('removeChunks', (tx) => this.rewrite(tx, scopeOf(scope), { chunkIds: [...chunkIds] }));
  }

  async findEntities(scope: StoreScope, request: { readonly keys: readonly string[]; readonly limit?: number }): Promise<readonly GraphEntity[]> {
    if (request.keys.length === 0) return [];
    return this.read('findEntities', async (tx) => {
      const records = await runStatement(tx, CYPHER.keysByKeyOrAlias, { ...scopeOf(scope), keys: [...request.keys] });
      const entities = await readEntities(tx, scopeOf(scope), records.map((record) => record.get('key') as string));
      return entities.sort(byWeightThenId).slice(0, request.limit ?? DEFAULT_FIND_LIMIT);
    });
  }

  async getEntities(scope: StoreScope, ids: readonly string[]): Promise<readonly GraphEntity[]> {
    return this.read('getEntities', (tx) => readEntities(tx, scopeOf(scope), [...new Set(ids)]));
  }

  async neighbourhood(
    scope: StoreScope,
    request: { readonly entityIds: readonly string[]; readonly depth: number; readonly limit?: number },
  ): Promise<{ entities: GraphEntity[]; relations: GraphRelation[] }> {
    return this.read('neighbourhood', async (tx) => {
      const limit = Math.max(request.limit ?? DEFAULT_NEIGHBOURHOOD_LIMIT, request.entityIds.length);
      const kept = new Set(request.entityIds);
      let frontier = [...kept];
      // Breadth first, heaviest relations first within a hop, as the embedded store walks.
      for (let hop = 0; hop < request.depth && frontier.length > 0 && kept.size < limit; hop += 1) {
        const next: string[] = [];
        for (const relation of await readRelations(tx, scopeOf(scope), frontier)) {
          for (const id of [relation.sourceId, relation.targetId]) {
            if (kept.has(id) || kept.size >= limit) continue;
            kept.add(id);
            next.push(id);
          }
        }
        frontier = next;
      }
      const entities = (await readEntities(tx, scopeOf(scope), [...kept])).sort(byWeightThenId);
      const present = new Set(entities.map((entity) => entity.id));
      const relations = (await readRelations(tx, scopeOf(scope), [...present]))
        .filter((relation) => present.has(relation.sourceId) && present.has(relation.targetId));
      return { entities, relations };
    });
  }

  async relationsOf(scope: StoreScope, request: { readonly entityIds: readonly string[]; readonly limit?: number }): Promise<readonly GraphRelation[]> {
    return this.read('relationsOf', async (tx) =>
      (await readRelations(tx, scopeOf(scope), [...new Set(request.entityIds)])).slice(0, request.limit ?? DEFAULT_RELATIONS_LIMIT));
  }

  async entityChunkEdges(scope: StoreScope, request?: { readonly entityIds?: readonly string[] }): Promise<readonly EntityChunkEdge[]> {
    return this.read('entityChunkEdges', async (tx) => {
      const records = request?.entityIds === undefined
        ? await runStatement(tx, CYPHER.allEdges, scopeOf(scope))
        : await runStatement(tx, CYPHER.edgesOf, { ...scopeOf(scope), keys: [...request.entityIds] });
      return records.map(toEdge);
    });
  }

  async snapshot(scope: StoreScope): Promise<GraphSnapshot> {
    // One read transaction: the revision and the graph it describes come from the same state of the database.
    return this.read('snapshot', async (tx) => {
      const key = scopeOf(scope);
      // A transaction runs one statement at a time.
      const revision = await readRevision(tx, key);
      const entities = await runStatement(tx, CYPHER.allEntityFacts, key);
      const relations = await runStatement(tx, CYPHER.allRelationFacts, key);
      const edges = await runStatement(tx, CYPHER.allEdges, key);
      return {
        revision,
        entities: entities.map((record) => ({
          id: record.get('id') as string,
          name: record.get('name') as string,
          type: record.get('type') as string,
          weight: toNumber(record.get('weight')),
        })),
        relations: relations.map((record) => ({
          sourceId: record.get('sourceId') as string,
          targetId: record.get('targetId') as string,
          type: record.get('type') as string,
          weight: toNumber(record.get('weight')),
        })),
        mentions: edges.map(toEdge),
      };
    });
  }

  async revision(scope: StoreScope): Promise<number> {
    return this.read('revision', (tx) => readRevision(tx, scopeOf(scope)));
  }

  async communities(scope: StoreScope): Promise<readonly GraphCommunity[]> {
    const cacheKey = `${scope.tenantId}\u0000${scope.kbId}`;
    const revision = await this.revision(scope);
    let cached = this.communityCache.get(cacheKey);
    if (!cached || cached.revision !== revision) {
      const current = await this.snapshot(scope);
      cached = { revision: current.revision, communities: detectCommunities(current) };
      if (this.communityCache.size >= MAX_CACHED_SCOPES) this.communityCache.clear();
      this.communityCache.set(cacheKey, cached);
    }
    const records = await this.read('communities', (tx) => runStatement(tx, CYPHER.summaries, scopeOf(scope)));
    const summaries = new Map(records.map((record) => [record.get('communityId') as string, record.get('summary') as string]));
    return cached.communities.map((community) => {
      const summary = summaries.get(community.id);
      return summary === undefined ? community : { ...community, summary };
    });
  }

  async saveCommunitySummaries(scope: StoreScope, summaries: readonly { readonly communityId: string; readonly summary: string }[]): Promise<void> {
    if (summaries.length === 0) return;
    await this.write('saveCommunitySummaries', (tx) =>
      runStatement(tx, CYPHER.saveSummaries, { ...scopeOf(scope), summaries: summaries.map(({ communityId, summary }) => ({ communityId, summary })) }));
  }

  async stats(scope: StoreScope): Promise<{ entities: number; relations: number; mentions: number; chunks: number; revision: number }> {
    return this.read('stats', async (tx) => {
      const key = scopeOf(scope);
      const [counts] = await runStatement(tx, CYPHER.mentionCounts, key);
      const [relations] = await runStatement(tx, CYPHER.relationCount, key);
      return {
        entities: toNumber(counts?.get('entities')),
        relations: toNumber(relations?.get('relations')),
        mentions: toNumber(counts?.get('mentions')),
        chunks: toNumber(counts?.get('chunks')),
        revision: await readRevision(tx, key),
      };
    });
  }

  async drop(scope: StoreScope): Promise<void> {
    const key = scopeOf(scope);
    // Batches in their own transactions: a large graph would not fit one. The scope node stays, bumped, so that a
    // revision number is never reused for a different graph.
    const batches: CypherStatement<'tenantId' | 'kbId' | 'batch'>[] = [
      CYPHER.dropEntities, CYPHER.dropEntityMentions, CYPHER.dropAliases, CYPHER.dropRelationMentions, CYPHER.dropSummaries,
    ];
    for (const statement of batches) {
      for (;;) {
        const [record] = await this.write('drop', (tx) => runStatement(tx, statement, { ...key, batch: DROP_BATCH }));
        if (toNumber(record?.get('deleted')) < DROP_BATCH) break;
      }
    }
    await this.write('drop', (tx) => runStatement(tx, CYPHER.bumpRevision, key));
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  /**
   * Bumps the revision, removes the mentions `removal` names, adds `graph`'s, then refolds every entity and relation
   * whose key either touched: all in the caller's transaction, so a retry replays the whole change.
   */
  private async rewrite(tx: ManagedTransaction, scope: Scope, removal: Removal, graph?: DocumentGraph): Promise<void> {
    // Bumping first write-locks the scope node until commit: writers of one knowledge base queue here, so each one
    // refolds from mentions that every earlier writer has committed (read committed would otherwise lose updates
    // when two documents naming the same entity are written at once).
    await runStatement(tx, CYPHER.bumpRevision, scope);
    const byDocument = 'documentIds' in removal;
    const removed = byDocument
      ? await runStatement(tx, CYPHER.keysOfDocuments, { ...scope, documentIds: [...removal.documentIds] })
      : await runStatement(tx, CYPHER.keysOfChunks, { ...scope, chunkIds: [...removal.chunkIds] });
    const touched = new Set(removed.map((record) => record.get('key') as string));
    if (byDocument) {
      const parameters = { ...scope, documentIds: [...removal.documentIds] };
      await runStatement(tx, CYPHER.deleteAliasesOfDocuments, parameters);
      await runStatement(tx, CYPHER.deleteEntityMentionsOfDocuments, parameters);
      await runStatement(tx, CYPHER.deleteRelationMentionsOfDocuments, parameters);
    } else {
      const parameters = { ...scope, chunkIds: [...removal.chunkIds] };
      await runStatement(tx, CYPHER.deleteAliasesOfChunks, parameters);
      await runStatement(tx, CYPHER.deleteEntityMentionsOfChunks, parameters);
      await runStatement(tx, CYPHER.deleteRelationMentionsOfChunks, parameters);
    }
    if (graph) {
      const documentId = graph.documentId;
      await runStatement(tx, CYPHER.createEntityMentions, {
        ...scope, documentId,
        mentions: graph.entities.map(({ key, chunkId, name, type, description, weight }) => ({ key, chunkId, name, type, description, weight })),
      });
      await runStatement(tx, CYPHER.createAliases, {
        ...scope, documentId,
        aliases: graph.entities.flatMap((mention) => [...new Set(mention.aliases)].map((alias) => ({ key: mention.key, chunkId: mention.chunkId, alias }))),
      });
      await runStatement(tx, CYPHER.createRelationMentions, {
        ...scope, documentId,
        mentions: graph.relations.map(({ sourceKey, targetKey, type, chunkId, description, weight }) => ({ sourceKey, targetKey, type, chunkId, description, weight })),
      });
      for (const mention of graph.entities) touched.add(mention.key);
      for (const relation of graph.relations) touched.add(relation.sourceKey).add(relation.targetKey);
    }
    await refold(tx, scope, [...touched].sort(compareCodePoints));
  }

  private read<T>(operation: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return read(this.driver, this.database, work).catch((error: unknown) => {
      throw toNeo4jError(error, operation, this.uri);
    });
  }

  private write<T>(operation: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return write(this.driver, this.database, work).catch((error: unknown) => {
      throw toNeo4jError(error, operation, this.uri);
    });
  }
}

/**
 * Recomputes the `Entity` nodes and `RELATES_TO` relationships of `keys` from their remaining mentions. A key no
 * mention names any more is deleted with its relationships; one only relation mentions name stays as an unmentioned
 * end; every relation touching a key is rewritten, and those left without a mention are pruned.
 */
async function refold(tx: ManagedTransaction, scope: Scope, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const mentionRows = await runStatement(tx, CYPHER.entityMentionsOf, { ...scope, keys: [...keys] });
  const aliasRows = await runStatement(tx, CYPHER.aliasesOf, { ...scope, keys: [...keys] });
  const relationRows = await runStatement(tx, CYPHER.relationMentionsTouching, { ...scope, keys: [...keys] });
  const entities = aggregateEntities(mentionRows.map(toEntityMention), groupAliases(aliasRows.map((record) => [record.get('key') as string, record.get('alias') as string])));
  const relations = aggregateRelations(relationRows.map(toRelationMention));

  const mentioned = new Set(entities.map((entity) => entity.id));
  const relationEnds = new Set(relations.flatMap((relation) => [relation.sourceId, relation.targetId]));
  const bare = [...relationEnds].filter((key) => !mentioned.has(key));
  const gone = keys.filter((key) => !mentioned.has(key) && !relationEnds.has(key));
  await runStatement(tx, CYPHER.upsertEntities, {
    ...scope,
    entities: [
      ...entities.map((entity) => ({ ...entity, aliases: [...entity.aliases], chunkIds: [...entity.chunkIds], mentioned: true })),
      ...bare.map((key) => ({ id: key, name: key, type: '', description: '', aliases: [], chunkIds: [], weight: 0, mentioned: false })),
    ],
  });
  if (gone.length > 0) await runStatement(tx, CYPHER.deleteEntities, { ...scope, keys: gone });
  await runStatement(tx, CYPHER.pruneRelations, { ...scope, keys: [...keys], keep: relations.map((relation) => relation.id) });
  await runStatement(tx, CYPHER.upsertRelations, {
    ...scope,
    relations: relations.map((relation) => ({ ...relation, chunkIds: [...relation.chunkIds] })),
  });
}

async function readEntities(tx: ManagedTransaction, scope: Scope, keys: readonly string[]): Promise<GraphEntity[]> {
  if (keys.length === 0) return [];
  const records = await runStatement(tx, CYPHER.entities, { ...scope, keys: [...keys] });
  return records.map((record) => ({
    id: record.get('id') as string,
    name: record.get('name') as string,
    type: record.get('type') as string,
    description: record.get('description') as string,
    aliases: record.get('aliases') as string[],
    chunkIds: record.get('chunkIds') as string[],
    weight: toNumber(record.get('weight')),
  }));
}

async function readRelations(tx: ManagedTransaction, scope: Scope, keys: readonly string[]): Promise<GraphRelation[]> {
  if (keys.length === 0) return [];
  const records = await runStatement(tx, CYPHER.relationsTouching, { ...scope, keys: [...keys] });
  return records
    .map((record) => ({
      id: record.get('id') as string,
      sourceId: record.get('sourceId') as string,
      targetId: record.get('targetId') as string,
      type: record.get('type') as string,
      description: record.get('description') as string,
      weight: toNumber(record.get('weight')),
      chunkIds: record.get('chunkIds') as string[],
    }))
    .sort(byWeightThenId);
}

async function readRevision(tx: ManagedTransaction, scope: Scope): Promise<number> {
  const [record] = await runStatement(tx, CYPHER.revision, scope);
  return record ? toNumber(record.get('revision')) : 0;
}

function toEntityMention(record: { get(key: string): unknown }): StoredEntityMention {
  return {
    key: record.get('key') as string,
    chunkId: record.get('chunkId') as string,
    name: record.get('name') as string,
    type: record.get('type') as string,
    description: record.get('description') as string,
    weight: toNumber(record.get('weight')),
  };
}

function toRelationMention(record: { get(key: string): unknown }): StoredRelationMention {
  return {
    sourceKey: record.get('sourceKey') as string,
    targetKey: record.get('targetKey') as string,
    type: record.get('type') as string,
    chunkId: record.get('chunkId') as string,
    description: record.get('description') as string,
    weight: toNumber(record.get('weight')),
  };
}

function toEdge(record: { get(key: string): unknown }): EntityChunkEdge {
  return { entityId: record.get('entityId') as string, chunkId: record.get('chunkId') as string, weight: toNumber(record.get('weight')) };
}

function groupAliases(pairs: readonly (readonly [string, string])[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const [key, alias] of pairs) {
    const list = grouped.get(key);
    if (list) list.push(alias);
    else grouped.set(key, [alias]);
  }
  return grouped;
}

function scopeOf(scope: StoreScope): Scope {
  return { tenantId: scope.tenantId, kbId: scope.kbId };
}

function byWeightThenId(left: { weight: number; id: string }, right: { weight: number; id: string }): number {
  return right.weight - left.weight || compareCodePoints(left.id, right.id);
}

/** The URI without any user or password in it, for messages and logs. */
function displayUri(uri: string): string {
  try {
    const parsed = new URL(uri);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return uri;
  }
}
