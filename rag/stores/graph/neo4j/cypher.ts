/**
 * Every Cypher statement the Neo4j graph store sends, and nothing else: the store can only run a
 * {@link CypherStatement}, and only this module makes them, so a test can lint the complete set with a real Cypher
 * parser. Values always travel as parameters; labels and relationship types are the fixed ones below.
 *
 * The model mirrors the embedded store: provenance is the mention nodes, one per (entity, chunk) and (relation,
 * chunk), each carrying its document and chunk id, so removing a document or chunk is deleting its mentions.
 * `Entity` nodes and `RELATES_TO` relationships are folded from the mentions (rag/stores/graph/aggregate-mentions.ts)
 * inside the same write transaction, so Cypher and graph tools see a real graph. An `Entity` node exists for every
 * key some mention names; one that only relation mentions name is kept with `mentioned = false`, so that a
 * relation always has both ends, and readers skip it, as the embedded store shows no entity without a mention.
 * Every node carries `tenantId` and `kbId`, and every statement matches on both.
 */

/** Node labels and relationship types the store uses; a test checks the statements use no other. */
export const GRAPH_LABELS = ['Entity', 'EntityMention', 'EntityAlias', 'RelationMention', 'GraphScope', 'CommunitySummary'] as const;
export const GRAPH_RELATIONSHIP_TYPES = ['RELATES_TO'] as const;

declare const statementBrand: unique symbol;

/** One statement and the parameters it takes; `integers` are sent as Neo4j integers (JS numbers are floats). */
export interface CypherStatement<P extends string = string> {
  readonly [statementBrand]: true;
  readonly name: string;
  readonly text: string;
  readonly parameters: readonly P[];
  readonly integers: readonly P[];
}

function statement<const P extends string>(name: string, parameters: readonly P[], text: string, integers: readonly P[] = []): CypherStatement<P> {
  return { name, text: text.trim().replace(/\n\s+/g, '\n  '), parameters, integers } as CypherStatement<P>;
}

const SCOPE = 'tenantId: $tenantId, kbId: $kbId';

/**
 * Created at start with IF NOT EXISTS. Uniqueness constraints back the MERGEs; the composite indexes lead with the
 * scope, so every lookup seeks inside one knowledge base. Node property uniqueness works on Community Edition.
 */
export const SCHEMA_STATEMENTS: readonly CypherStatement<never>[] = [
  statement('entityKeyUnique', [], 'CREATE CONSTRAINT trellis_entity_key IF NOT EXISTS FOR (n:Entity) REQUIRE (n.tenantId, n.kbId, n.key) IS UNIQUE'),
  statement('graphScopeUnique', [], 'CREATE CONSTRAINT trellis_graph_scope IF NOT EXISTS FOR (n:GraphScope) REQUIRE (n.tenantId, n.kbId) IS UNIQUE'),
  statement('communitySummaryUnique', [], 'CREATE CONSTRAINT trellis_community_summary IF NOT EXISTS FOR (n:CommunitySummary) REQUIRE (n.tenantId, n.kbId, n.communityId) IS UNIQUE'),
  ...(['documentId', 'chunkId', 'key'] as const).map((property) =>
    statement(`entityMention_${property}`, [], `CREATE INDEX trellis_entity_mention_${property} IF NOT EXISTS FOR (n:EntityMention) ON (n.tenantId, n.kbId, n.${property})`)),
  ...(['documentId', 'chunkId', 'key', 'alias'] as const).map((property) =>
    statement(`entityAlias_${property}`, [], `CREATE INDEX trellis_entity_alias_${property} IF NOT EXISTS FOR (n:EntityAlias) ON (n.tenantId, n.kbId, n.${property})`)),
  ...(['documentId', 'chunkId', 'sourceKey', 'targetKey'] as const).map((property) =>
    statement(`relationMention_${property}`, [], `CREATE INDEX trellis_relation_mention_${property} IF NOT EXISTS FOR (n:RelationMention) ON (n.tenantId, n.kbId, n.${property})`)),
];

/** Keys that the mentions about to be removed name (entity keys and relation ends), by document or by chunk. */
const keysOf = <const Q extends 'documentIds' | 'chunkIds'>(by: 'documentId' | 'chunkId', parameter: Q) => statement(`keysOf_${by}`, ['tenantId', 'kbId', parameter], `
  MATCH (m:EntityMention {${SCOPE}}) WHERE m.${by} IN $${parameter}
  RETURN m.key AS key
  UNION
  MATCH (r:RelationMention {${SCOPE}}) WHERE r.${by} IN $${parameter}
  UNWIND [r.sourceKey, r.targetKey] AS key
  RETURN key`);

const deleteMentions = <const Q extends 'documentIds' | 'chunkIds'>(label: 'EntityMention' | 'EntityAlias' | 'RelationMention', by: 'documentId' | 'chunkId', parameter: Q) =>
  statement(`delete${label}_${by}`, ['tenantId', 'kbId', parameter], `
    MATCH (m:${label} {${SCOPE}}) WHERE m.${by} IN $${parameter}
    DELETE m`);

/** Drops one kind of node of a scope, a batch at a time, so a huge knowledge base never needs one huge transaction. */
const dropBatch = (label: (typeof GRAPH_LABELS)[number]) => statement(`drop${label}`, ['tenantId', 'kbId', 'batch'], `
  MATCH (n:${label} {${SCOPE}})
  WITH n LIMIT $batch
  DETACH DELETE n
  RETURN count(*) AS deleted`, ['batch']);

export const CYPHER = {
  keysOfDocuments: keysOf('documentId', 'documentIds'),
  keysOfChunks: keysOf('chunkId', 'chunkIds'),
  deleteEntityMentionsOfDocuments: deleteMentions('EntityMention', 'documentId', 'documentIds'),
  deleteAliasesOfDocuments: deleteMentions('EntityAlias', 'documentId', 'documentIds'),
  deleteRelationMentionsOfDocuments: deleteMentions('RelationMention', 'documentId', 'documentIds'),
  deleteEntityMentionsOfChunks: deleteMentions('EntityMention', 'chunkId', 'chunkIds'),
  deleteAliasesOfChunks: deleteMentions('EntityAlias', 'chunkId', 'chunkIds'),
  deleteRelationMentionsOfChunks: deleteMentions('RelationMention', 'chunkId', 'chunkIds'),
  createEntityMentions: statement('createEntityMentions', ['tenantId', 'kbId', 'documentId', 'mentions'], `
    UNWIND $mentions AS m
    CREATE (:EntityMention {${SCOPE}, documentId: $documentId, chunkId: m.chunkId, key: m.key, name: m.name,
      type: m.type, description: m.description, weight: m.weight})`),
  createAliases: statement('createAliases', ['tenantId', 'kbId', 'documentId', 'aliases'], `
    UNWIND $aliases AS a
    CREATE (:EntityAlias {${SCOPE}, documentId: $documentId, chunkId: a.chunkId, key: a.key, alias: a.alias})`),
  createRelationMentions: statement('createRelationMentions', ['tenantId', 'kbId', 'documentId', 'mentions'], `
    UNWIND $mentions AS m
    CREATE (:RelationMention {${SCOPE}, documentId: $documentId, chunkId: m.chunkId, sourceKey: m.sourceKey,
      targetKey: m.targetKey, type: m.type, description: m.description, weight: m.weight})`),
  entityMentionsOf: statement('entityMentionsOf', ['tenantId', 'kbId', 'keys'], `
    MATCH (m:EntityMention {${SCOPE}}) WHERE m.key IN $keys
    RETURN m.key AS key, m.chunkId AS chunkId, m.name AS name, m.type AS type, m.description AS description, m.weight AS weight`),
  aliasesOf: statement('aliasesOf', ['tenantId', 'kbId', 'keys'], `
    MATCH (a:EntityAlias {${SCOPE}}) WHERE a.key IN $keys
    RETURN DISTINCT a.key AS key, a.alias AS alias`),
  relationMentionsTouching: statement('relationMentionsTouching', ['tenantId', 'kbId', 'keys'], `
    MATCH (r:RelationMention {${SCOPE}}) WHERE r.sourceKey IN $keys
    RETURN r.sourceKey AS sourceKey, r.targetKey AS targetKey, r.type AS type, r.chunkId AS chunkId, r.description AS description, r.weight AS weight
    UNION ALL
    MATCH (r:RelationMention {${SCOPE}}) WHERE r.targetKey IN $keys AND NOT r.sourceKey IN $keys
    RETURN r.sourceKey AS sourceKey, r.targetKey AS targetKey, r.type AS type, r.chunkId AS chunkId, r.description AS description, r.weight AS weight`),
  upsertEntities: statement('upsertEntities', ['tenantId', 'kbId', 'entities'], `
    UNWIND $entities AS e
    MERGE (n:Entity {${SCOPE}, key: e.id})
    SET n.name = e.name, n.type = e.type, n.description = e.description, n.aliases = e.aliases,
      n.chunkIds = e.chunkIds, n.weight = e.weight, n.mentioned = e.mentioned`),
  deleteEntities: statement('deleteEntities', ['tenantId', 'kbId', 'keys'], `
    MATCH (n:Entity {${SCOPE}}) WHERE n.key IN $keys
    DETACH DELETE n`),
  pruneRelations: statement('pruneRelations', ['tenantId', 'kbId', 'keys', 'keep'], `
    MATCH (n:Entity {${SCOPE}})-[r:RELATES_TO]-()
    WHERE n.key IN $keys AND NOT r.id IN $keep
    DELETE r`),
  upsertRelations: statement('upsertRelations', ['tenantId', 'kbId', 'relations'], `
    UNWIND $relations AS rel
    MATCH (s:Entity {${SCOPE}, key: rel.sourceId})
    MATCH (t:Entity {${SCOPE}, key: rel.targetId})
    MERGE (s)-[r:RELATES_TO {id: rel.id}]->(t)
    SET r.type = rel.type, r.description = rel.description, r.weight = rel.weight, r.chunkIds = rel.chunkIds`),
  bumpRevision: statement('bumpRevision', ['tenantId', 'kbId'], `
    MERGE (s:GraphScope {${SCOPE}})
    ON CREATE SET s.revision = 0
    SET s.revision = s.revision + 1
    RETURN s.revision AS revision`),
  revision: statement('revision', ['tenantId', 'kbId'], `
    MATCH (s:GraphScope {${SCOPE}})
    RETURN s.revision AS revision`),
  keysByKeyOrAlias: statement('keysByKeyOrAlias', ['tenantId', 'kbId', 'keys'], `
    MATCH (n:Entity {${SCOPE}, mentioned: true}) WHERE n.key IN $keys
    RETURN n.key AS key
    UNION
    MATCH (a:EntityAlias {${SCOPE}}) WHERE a.alias IN $keys
    RETURN a.key AS key`),
  entities: statement('entities', ['tenantId', 'kbId', 'keys'], `
    MATCH (n:Entity {${SCOPE}, mentioned: true}) WHERE n.key IN $keys
    RETURN n.key AS id, n.name AS name, n.type AS type, n.description AS description, n.aliases AS aliases,
      n.chunkIds AS chunkIds, n.weight AS weight`),
  relationsTouching: statement('relationsTouching', ['tenantId', 'kbId', 'keys'], `
    MATCH (s:Entity {${SCOPE}})-[r:RELATES_TO]->(t:Entity) WHERE s.key IN $keys
    RETURN r.id AS id, s.key AS sourceId, t.key AS targetId, r.type AS type, r.description AS description, r.weight AS weight, r.chunkIds AS chunkIds
    UNION
    MATCH (s:Entity)-[r:RELATES_TO]->(t:Entity {${SCOPE}}) WHERE t.key IN $keys
    RETURN r.id AS id, s.key AS sourceId, t.key AS targetId, r.type AS type, r.description AS description, r.weight AS weight, r.chunkIds AS chunkIds`),
  edgesOf: statement('edgesOf', ['tenantId', 'kbId', 'keys'], `
    MATCH (m:EntityMention {${SCOPE}}) WHERE m.key IN $keys
    RETURN m.key AS entityId, m.chunkId AS chunkId, sum(m.weight) AS weight
    ORDER BY entityId, chunkId`),
  allEdges: statement('allEdges', ['tenantId', 'kbId'], `
    MATCH (m:EntityMention {${SCOPE}})
    RETURN m.key AS entityId, m.chunkId AS chunkId, sum(m.weight) AS weight
    ORDER BY entityId, chunkId`),
  allEntityFacts: statement('allEntityFacts', ['tenantId', 'kbId'], `
    MATCH (n:Entity {${SCOPE}, mentioned: true})
    RETURN n.key AS id, n.name AS name, n.type AS type, n.weight AS weight
    ORDER BY id`),
  allRelationFacts: statement('allRelationFacts', ['tenantId', 'kbId'], `
    MATCH (s:Entity {${SCOPE}})-[r:RELATES_TO]->(t:Entity)
    RETURN r.id AS id, s.key AS sourceId, t.key AS targetId, r.type AS type, r.weight AS weight
    ORDER BY id`),
  mentionCounts: statement('mentionCounts', ['tenantId', 'kbId'], `
    MATCH (m:EntityMention {${SCOPE}})
    RETURN count(DISTINCT m.key) AS entities, count(m) AS mentions, count(DISTINCT m.chunkId) AS chunks`),
  relationCount: statement('relationCount', ['tenantId', 'kbId'], `
    MATCH (:Entity {${SCOPE}})-[r:RELATES_TO]->()
    RETURN count(r) AS relations`),
  summaries: statement('summaries', ['tenantId', 'kbId'], `
    MATCH (c:CommunitySummary {${SCOPE}})
    RETURN c.communityId AS communityId, c.summary AS summary`),
  saveSummaries: statement('saveSummaries', ['tenantId', 'kbId', 'summaries'], `
    UNWIND $summaries AS s
    MERGE (c:CommunitySummary {${SCOPE}, communityId: s.communityId})
    SET c.summary = s.summary`),
  dropEntities: dropBatch('Entity'),
  dropEntityMentions: dropBatch('EntityMention'),
  dropAliases: dropBatch('EntityAlias'),
  dropRelationMentions: dropBatch('RelationMention'),
  dropSummaries: dropBatch('CommunitySummary'),
} as const;

/** Every statement, schema first: what the Cypher validation test lints. */
export const ALL_STATEMENTS: readonly CypherStatement[] = [...SCHEMA_STATEMENTS, ...Object.values(CYPHER)];
