import type { Migration } from '../../core/db.js';

/**
 * Knowledge bases, documents and chunks: the source of truth that the vector and keyword indexes are built from
 * (and rebuilt from by `trellis kb reindex`). Ids `0100-…` run after core's and before the indexes'.
 *
 * `chunk_tombstones` makes replacing a document crash-safe: the chunk ids a change removes are recorded in the
 * same transaction that removes them here, and cleared only once every index has deleted them too, so an
 * interrupted ingest finishes the deletion on its next run instead of leaving stale vectors behind.
 */
export const knowledgeMigrations: readonly Migration[] = [
  {
    id: '0100-rag-knowledge',
    up: `
      CREATE TABLE knowledge_bases (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        embedder TEXT,
        dimensions INTEGER,
        created_at TEXT NOT NULL,
        UNIQUE (tenant_id, name)
      ) STRICT;
      CREATE TABLE documents (
        kb_id TEXT NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT,
        mime_type TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        metadata TEXT NOT NULL,
        text TEXT NOT NULL,
        pages TEXT,
        -- 'indexing' until every index holds the document's current chunks, then 'ready'.
        status TEXT NOT NULL CHECK (status IN ('indexing', 'ready')),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (kb_id, id)
      ) STRICT;
      CREATE TABLE chunks (
        kb_id TEXT NOT NULL,
        id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        start_offset INTEGER NOT NULL,
        end_offset INTEGER NOT NULL,
        page INTEGER,
        PRIMARY KEY (kb_id, id),
        FOREIGN KEY (kb_id, document_id) REFERENCES documents (kb_id, id) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX chunks_by_document ON chunks (kb_id, document_id, position);
      CREATE TABLE chunk_tombstones (
        kb_id TEXT NOT NULL REFERENCES knowledge_bases (id) ON DELETE CASCADE,
        chunk_id TEXT NOT NULL,
        PRIMARY KEY (kb_id, chunk_id)
      ) STRICT;
    `,
  },
];
