import type { SqliteDatabase } from '../../../../core/db.js';
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

/** Options for {@link createSqliteGraphStore}. */
export interface SqliteGraphStoreOptions {
  /** The runtime's database, already migrated with `ragGraphMigrations`. */
  readonly db: SqliteDatabase;
}

const DEFAULT_FIND_LIMIT = 50;
const DEFAULT_NEIGHBOURHOOD_LIMIT = 50;
const DEFAULT_RELATIONS_LIMIT = 200;
/** Scopes whose communities are remembered (per revision); past it the memory starts over. */
const MAX_CACHED_SCOPES = 64;

/** Parameters of the statements that look rows up by a JSON array of keys. */
interface KeyedQuery {
  tenantId: string;
  kbId: string;
  keys: string;
}

interface EntityMentionRow {
  key: string;
  chunkId: string;
  name: string;
  type: string;
  description: string;
  weight: number;
}

/**
 * The embedded {@link GraphStore}: mention rows in the runtime's SQLite database (see ./migrations.ts), entities
 * and relations folded from them on read, communities computed with graphology's Louvain and cached per revision.
 *
 * @example
 * const graphStore = createSqliteGraphStore({ db });
 * await graphStore.replaceDocument(scope, { documentId: 'a.md', entities, relations });
 * const [edWood] = await graphStore.findEntities(scope, { keys: ['ed wood'] });
 */
export function createSqliteGraphStore(options: SqliteGraphStoreOptions): GraphStore {
  const { db } = options;
  const statements = {
    insertEntity: db.prepare<[string, string, string, string, string, string, string, string, number]>(
      `INSERT INTO rag_graph_entity_mentions (tenant_id, kb_id, entity_key, document_id, chunk_id, name, type, description, weight)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertAlias: db.prepare<[number, string, string, string, string]>(
      'INSERT INTO rag_graph_aliases (mention_id, tenant_id, kb_id, alias, entity_key) VALUES (?, ?, ?, ?, ?)',
    ),
    insertRelation: db.prepare<[string, string, string, string, string, string, string, string, number]>(
      `INSERT INTO rag_graph_relation_mentions (tenant_id, kb_id, source_key, target_key, type, document_id, chunk_id, description, weight)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteEntitiesOfDocuments: db.prepare<[string, string, string]>(
      `DELETE FROM rag_graph_entity_mentions INDEXED BY rag_graph_entity_mentions_document
       WHERE tenant_id = ? AND kb_id = ? AND document_id IN (SELECT value FROM json_each(?))`,
    ),
    deleteRelationsOfDocuments: db.prepare<[string, string, string]>(
      `DELETE FROM rag_graph_relation_mentions INDEXED BY rag_graph_relation_mentions_document
       WHERE tenant_id = ? AND kb_id = ? AND document_id IN (SELECT value FROM json_each(?))`,
    ),
    deleteEntitiesOfChunks: db.prepare<[string, string, string]>(
      `DELETE FROM rag_graph_entity_mentions INDEXED BY rag_graph_entity_mentions_chunk
       WHERE tenant_id = ? AND kb_id = ? AND chunk_id IN (SELECT value FROM json_each(?))`,
    ),
    deleteRelationsOfChunks: db.prepare<[string, string, string]>(
      `DELETE FROM rag_graph_relation_mentions INDEXED BY rag_graph_relation_mentions_chunk
       WHERE tenant_id = ? AND kb_id = ? AND chunk_id IN (SELECT value FROM json_each(?))`,
    ),
    bumpRevision: db.prepare<[string, string]>(
      `INSERT INTO rag_graph_scopes (tenant_id, kb_id, revision) VALUES (?, ?, 1)
       ON CONFLICT (tenant_id, kb_id) DO UPDATE SET revision = revision + 1`,
    ),
    revision: db.prepare<[string, string], number>('SELECT revision FROM rag_graph_scopes WHERE tenant_id = ? AND kb_id = ?').pluck(),
    keysByAlias: db.prepare<[KeyedQuery], string>(
      `SELECT a.entity_key FROM json_each(@keys) AS wanted CROSS JOIN rag_graph_aliases AS a
         ON a.tenant_id = @tenantId AND a.kb_id = @kbId AND a.alias = wanted.value
       UNION SELECT m.entity_key FROM json_each(@keys) AS wanted CROSS JOIN rag_graph_entity_mentions AS m
         ON m.tenant_id = @tenantId AND m.kb_id = @kbId AND m.entity_key = wanted.value`,
    ).pluck(),
    entityMentions: db.prepare<[KeyedQuery], EntityMentionRow>(
      `SELECT m.entity_key AS key, m.chunk_id AS chunkId, m.name, m.type, m.description, m.weight
       FROM json_each(@keys) AS wanted CROSS JOIN rag_graph_entity_mentions AS m
         ON m.tenant_id = @tenantId AND m.kb_id = @kbId AND m.entity_key = wanted.value`,
    ),
    aliasesOf: db.prepare<[KeyedQuery], { key: string; alias: string }>(
      `SELECT DISTINCT a.entity_key AS key, a.alias FROM json_each(@keys) AS wanted CROSS JOIN rag_graph_aliases AS a
         ON a.tenant_id = @tenantId AND a.kb_id = @kbId AND a.entity_key = wanted.value`,
    ),
    relationMentionsTouching: db.prepare<[KeyedQuery], StoredRelationMention>(
      `SELECT r.source_key AS sourceKey, r.target_key AS targetKey, r.type, r.chunk_id AS chunkId, r.description, r.weight
       FROM json_each(@keys) AS wanted CROSS JOIN rag_graph_relation_mentions AS r
         ON r.tenant_id = @tenantId AND r.kb_id = @kbId AND r.source_key = wanted.value
       UNION ALL
       SELECT r.source_key, r.target_key, r.type, r.chunk_id, r.description, r.weight
       FROM json_each(@keys) AS wanted CROSS JOIN rag_graph_relation_mentions AS r
         ON r.tenant_id = @tenantId AND r.kb_id = @kbId AND r.target_key = wanted.value
       WHERE r.source_key NOT IN (SELECT value FROM json_each(@keys))`,
    ),
    edgesOf: db.prepare<[KeyedQuery], EntityChunkEdge>(
      `SELECT m.entity_key AS entityId, m.chunk_id AS chunkId, sum(m.weight) AS weight
       FROM json_each(@keys) AS wanted CROSS JOIN rag_graph_entity_mentions AS m
         ON m.tenant_id = @tenantId AND m.kb_id = @kbId AND m.entity_key = wanted.value
       GROUP BY m.entity_key, m.chunk_id ORDER BY m.entity_key, m.chunk_id`,
    ),
    allEdges: db.prepare<[string, string], EntityChunkEdge>(
      `SELECT entity_key AS entityId, chunk_id AS chunkId, sum(weight) AS weight FROM rag_graph_entity_mentions
       WHERE tenant_id = ? AND kb_id = ? GROUP BY entity_key, chunk_id ORDER BY entity_key, chunk_id`,
    ),
    allRelations: db.prepare<[string, string], GraphSnapshot['relations'][number]>(
      `SELECT source_key AS sourceId, target_key AS targetId, type, sum(weight) AS weight FROM rag_graph_relation_mentions
       WHERE tenant_id = ? AND kb_id = ? GROUP BY source_key, target_key, type ORDER BY source_key, target_key, type`,
    ),
    allEntityFacts: db.prepare<[string, string], EntityMentionRow>(
      `SELECT entity_key AS key, chunk_id AS chunkId, name, type, '' AS description, weight FROM rag_graph_entity_mentions
       WHERE tenant_id = ? AND kb_id = ? ORDER BY entity_key, chunk_id, name, weight`,
    ),
    counts: db.prepare<[string, string, string, string], { entities: number; mentions: number; chunks: number; relations: number }>(
      `SELECT count(DISTINCT entity_key) AS entities, count(*) AS mentions, count(DISTINCT chunk_id) AS chunks,
         (SELECT count(*) FROM (SELECT DISTINCT source_key, type, target_key FROM rag_graph_relation_mentions
           WHERE tenant_id = ? AND kb_id = ?)) AS relations
       FROM rag_graph_entity_mentions WHERE tenant_id = ? AND kb_id = ?`,
    ),
    summaries: db.prepare<[string, string], { communityId: string; summary: string }>(
      'SELECT community_id AS communityId, summary FROM rag_graph_community_summaries WHERE tenant_id = ? AND kb_id = ?',
    ),
    saveSummary: db.prepare<[string, string, string, string]>(
      `INSERT INTO rag_graph_community_summaries (tenant_id, kb_id, community_id, summary) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id, kb_id, community_id) DO UPDATE SET summary = excluded.summary`,
    ),
    dropEntities: db.prepare<[string, string]>('DELETE FROM rag_graph_entity_mentions WHERE tenant_id = ? AND kb_id = ?'),
    dropRelations: db.prepare<[string, string]>('DELETE FROM rag_graph_relation_mentions WHERE tenant_id = ? AND kb_id = ?'),
    dropSummaries: db.prepare<[string, string]>('DELETE FROM rag_graph_community_summaries WHERE tenant_id = ? AND kb_id = ?'),
  };

  const revisionOf = (scope: StoreScope): number => statements.revision.get(scope.tenantId, scope.kbId) ?? 0;

  const replaceDocument = db.transaction((scope: StoreScope, graph: DocumentGraph) => {
    const { tenantId, kbId } = scope;
    const ids = JSON.stringify([graph.documentId]);
    statements.deleteEntitiesOfDocuments.run(tenantId, kbId, ids);
    statements.deleteRelationsOfDocuments.run(tenantId, kbId, ids);
    for (const mention of graph.entities) {
      const mentionId = Number(statements.insertEntity.run(
        tenantId, kbId, mention.key, graph.documentId, mention.chunkId, mention.name, mention.type, mention.description, mention.weight,
      ).lastInsertRowid);
      for (const alias of new Set(mention.aliases)) statements.insertAlias.run(mentionId, tenantId, kbId, alias, mention.key);
    }
    for (const relation of graph.relations) {
      statements.insertRelation.run(
        tenantId, kbId, relation.sourceKey, relation.targetKey, relation.type, graph.documentId, relation.chunkId, relation.description, relation.weight,
      );
    }
    statements.bumpRevision.run(tenantId, kbId);
  });

  const removeDocuments = db.transaction((scope: StoreScope, documentIds: readonly string[]) => {
    const ids = JSON.stringify(documentIds);
    statements.deleteEntitiesOfDocuments.run(scope.tenantId, scope.kbId, ids);
    statements.deleteRelationsOfDocuments.run(scope.tenantId, scope.kbId, ids);
    statements.bumpRevision.run(scope.tenantId, scope.kbId);
  });

  const removeChunks = db.transaction((scope: StoreScope, chunkIds: readonly string[]) => {
    const ids = JSON.stringify(chunkIds);
    statements.deleteEntitiesOfChunks.run(scope.tenantId, scope.kbId, ids);
    statements.deleteRelationsOfChunks.run(scope.tenantId, scope.kbId, ids);
    statements.bumpRevision.run(scope.tenantId, scope.kbId);
  });

  // The revision row stays (bumped) so that a revision number is never reused for a different graph.
  const drop = db.transaction((scope: StoreScope) => {
    statements.dropEntities.run(scope.tenantId, scope.kbId);
    statements.dropRelations.run(scope.tenantId, scope.kbId);
    statements.dropSummaries.run(scope.tenantId, scope.kbId);
    statements.bumpRevision.run(scope.tenantId, scope.kbId);
  });

  function loadEntities(scope: StoreScope, keys: readonly string[]): GraphEntity[] {
    if (keys.length === 0) return [];
    const json = JSON.stringify(keys);
    const aliases = new Map<string, string[]>();
    for (const row of statements.aliasesOf.all({ ...scope, keys: json })) {
      const list = aliases.get(row.key);
      if (list) list.push(row.alias);
      else aliases.set(row.key, [row.alias]);
    }
    return aggregateEntities(statements.entityMentions.all({ ...scope, keys: json }) as StoredEntityMention[], aliases);
  }

  function loadRelations(scope: StoreScope, keys: readonly string[]): GraphRelation[] {
    if (keys.length === 0) return [];
    const json = JSON.stringify(keys);
    const rows = statements.relationMentionsTouching.all({ ...scope, keys: json });
    return aggregateRelations(rows).sort(byWeightThenId);
  }

  function snapshot(scope: StoreScope): GraphSnapshot {
    // One read transaction: the revision and the rows it describes come from the same state of the database.
    return db.transaction(() => {
      const revision = revisionOf(scope);
      const facts = new Map<string, { names: Map<string, number>; types: Map<string, number>; weight: number }>();
      for (const row of statements.allEntityFacts.all(scope.tenantId, scope.kbId)) {
        let fact = facts.get(row.key);
        if (!fact) facts.set(row.key, (fact = { names: new Map(), types: new Map(), weight: 0 }));
        fact.names.set(row.name, (fact.names.get(row.name) ?? 0) + 1);
        fact.types.set(row.type, (fact.types.get(row.type) ?? 0) + 1);
        fact.weight += row.weight;
      }
      const entities = [...facts.entries()]
        .sort(([left], [right]) => compareCodePoints(left, right))
        .map(([id, fact]) => ({ id, name: top(fact.names, true), type: top(fact.types, false), weight: fact.weight }));
      const relations = statements.allRelations.all(scope.tenantId, scope.kbId);
      return { revision, entities, relations, mentions: statements.allEdges.all(scope.tenantId, scope.kbId) };
    })();
  }

  const communityCache = new Map<string, { revision: number; communities: readonly GraphCommunity[] }>();
  function communitiesOf(scope: StoreScope): readonly GraphCommunity[] {
    const cacheKey = `${scope.tenantId}\u0000${scope.kbId}`;
    const revision = revisionOf(scope);
    const cached = communityCache.get(cacheKey);
    if (cached && cached.revision === revision) return cached.communities;
    const current = snapshot(scope);
    const communities = detectCommunities(current);
    if (communityCache.size >= MAX_CACHED_SCOPES) communityCache.clear();
    communityCache.set(cacheKey, { revision: current.revision, communities });
    return communities;
  }

  return {
    name: 'sqlite',
    async replaceDocument(scope, graph) {
      replaceDocument(scope, graph);
    },
    async removeDocuments(scope, documentIds) {
      if (documentIds.length > 0) removeDocuments(scope, documentIds);
    },
    async removeChunks(scope, chunkIds) {
      if (chunkIds.length > 0) removeChunks(scope, chunkIds);
    },
    async findEntities(scope, request) {
      if (request.keys.length === 0) return [];
      const json = JSON.stringify(request.keys);
      const keys = statements.keysByAlias.all({ ...scope, keys: json });
      const limit = request.limit ?? DEFAULT_FIND_LIMIT;
      return loadEntities(scope, keys).sort(byWeightThenId).slice(0, limit);
    },
    async getEntities(scope, ids) {
      return loadEntities(scope, [...new Set(ids)]);
    },
    async neighbourhood(scope, request) {
      const limit = Math.max(request.limit ?? DEFAULT_NEIGHBOURHOOD_LIMIT, request.entityIds.length);
      const kept = new Set(request.entityIds);
      let frontier = [...kept];
      for (let hop = 0; hop < request.depth && frontier.length > 0 && kept.size < limit; hop += 1) {
        const next: string[] = [];
        for (const relation of loadRelations(scope, frontier)) {
          for (const id of [relation.sourceId, relation.targetId]) {
            if (kept.has(id) || kept.size >= limit) continue;
            kept.add(id);
            next.push(id);
          }
        }
        frontier = next;
      }
      const entities = loadEntities(scope, [...kept]).sort(byWeightThenId);
      const present = new Set(entities.map((entity) => entity.id));
      const relations = loadRelations(scope, [...present]).filter((relation) => present.has(relation.sourceId) && present.has(relation.targetId));
      return { entities, relations };
    },
    async relationsOf(scope, request) {
      return loadRelations(scope, [...new Set(request.entityIds)]).slice(0, request.limit ?? DEFAULT_RELATIONS_LIMIT);
    },
    async entityChunkEdges(scope, request) {
      if (request?.entityIds === undefined) return statements.allEdges.all(scope.tenantId, scope.kbId);
      return statements.edgesOf.all({ ...scope, keys: JSON.stringify(request.entityIds) });
    },
    async snapshot(scope) {
      return snapshot(scope);
    },
    async revision(scope) {
      return revisionOf(scope);
    },
    async communities(scope) {
      const communities = communitiesOf(scope);
      const summaries = new Map(statements.summaries.all(scope.tenantId, scope.kbId).map((row) => [row.communityId, row.summary]));
      return communities.map((community) => {
        const summary = summaries.get(community.id);
        return summary === undefined ? community : { ...community, summary };
      });
    },
    async saveCommunitySummaries(scope, summaries) {
      db.transaction(() => {
        for (const { communityId, summary } of summaries) statements.saveSummary.run(scope.tenantId, scope.kbId, communityId, summary);
      })();
    },
    async stats(scope) {
      return db.transaction(() => {
        const counts = statements.counts.get(scope.tenantId, scope.kbId, scope.tenantId, scope.kbId)!;
        return { ...counts, revision: revisionOf(scope) };
      })();
    },
    async drop(scope) {
      drop(scope);
    },
    async close() {},
  };
}

function byWeightThenId(left: { weight: number; id: string }, right: { weight: number; id: string }): number {
  return right.weight - left.weight || compareCodePoints(left.id, right.id);
}

/** The most frequent value; ties go to the longer (for names) and then to code-point order, as aggregateEntities does. */
function top(counts: ReadonlyMap<string, number>, preferLonger: boolean): string {
  return [...counts.entries()].sort(([left, leftCount], [right, rightCount]) =>
    rightCount - leftCount || (preferLonger ? right.length - left.length : 0) || compareCodePoints(left, right))[0]![0];
}
