import type { Migration } from '../../../../core/db.js';

/**
 * The embedded graph store's schema (ids `0210-…`, after the keyword index's `0200-…`).
 *
 * Only mentions are stored: one row per (entity, chunk) and per (relation, chunk) that extraction found. An entity
 * or relation is the group of its mention rows, so deleting a chunk's rows is all it takes for whatever only that
 * chunk supported to disappear, and nothing derived can drift from its evidence.
 * `rag_graph_scopes.revision` changes with every write to a scope; readers cache derived structures by it.
 */
export const ragGraphMigrations: readonly Migration[] = [
  {
    id: '0210-rag-graph',
    up: `
      CREATE TABLE rag_graph_entity_mentions (
        id INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        kb_id TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        document_id TEXT NOT NULL,
        chunk_id TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        description TEXT NOT NULL,
        weight REAL NOT NULL
      ) STRICT;
      CREATE INDEX rag_graph_entity_mentions_entity ON rag_graph_entity_mentions (tenant_id, kb_id, entity_key);
      CREATE INDEX rag_graph_entity_mentions_document ON rag_graph_entity_mentions (tenant_id, kb_id, document_id);
      CREATE INDEX rag_graph_entity_mentions_chunk ON rag_graph_entity_mentions (tenant_id, kb_id, chunk_id);
      CREATE TABLE rag_graph_aliases (
        mention_id INTEGER NOT NULL REFERENCES rag_graph_entity_mentions (id) ON DELETE CASCADE,
        tenant_id TEXT NOT NULL,
        kb_id TEXT NOT NULL,
        alias TEXT NOT NULL,
        entity_key TEXT NOT NULL
      ) STRICT;
      CREATE INDEX rag_graph_aliases_alias ON rag_graph_aliases (tenant_id, kb_id, alias);
      CREATE INDEX rag_graph_aliases_mention ON rag_graph_aliases (mention_id);
      CREATE INDEX rag_graph_aliases_entity ON rag_graph_aliases (tenant_id, kb_id, entity_key);
      CREATE TABLE rag_graph_relation_mentions (
        id INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        kb_id TEXT NOT NULL,
        source_key TEXT NOT NULL,
        target_key TEXT NOT NULL,
        type TEXT NOT NULL,
        document_id TEXT NOT NULL,
        chunk_id TEXT NOT NULL,
        description TEXT NOT NULL,
        weight REAL NOT NULL
      ) STRICT;
      CREATE INDEX rag_graph_relation_mentions_source ON rag_graph_relation_mentions (tenant_id, kb_id, source_key);
      CREATE INDEX rag_graph_relation_mentions_target ON rag_graph_relation_mentions (tenant_id, kb_id, target_key);
      CREATE INDEX rag_graph_relation_mentions_document ON rag_graph_relation_mentions (tenant_id, kb_id, document_id);
      CREATE INDEX rag_graph_relation_mentions_chunk ON rag_graph_relation_mentions (tenant_id, kb_id, chunk_id);
      CREATE TABLE rag_graph_scopes (
        tenant_id TEXT NOT NULL,
        kb_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, kb_id)
      ) STRICT;
      CREATE TABLE rag_graph_community_summaries (
        tenant_id TEXT NOT NULL,
        kb_id TEXT NOT NULL,
        community_id TEXT NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (tenant_id, kb_id, community_id)
      ) STRICT;
    `,
  },
];
