import type { Migration } from '../core/db.js';

/**
 * The rag layer's keyword-index schema (ids `0200-…`, after core's `0001-…`).
 *
 * `rag_keyword_chunks` maps each indexed chunk to its scope and metadata; its integer `id` is the rowid of the
 * chunk's row in `rag_keyword_fts`. The FTS5 table is contentless (the chunks table elsewhere is the source of
 * truth, so storing the text twice would only cost disk) with `contentless_delete=1` so rows can be replaced.
 * Its `scope` column holds one opaque token per (tenant, kb): a query ANDs that token with its terms, so FTS5
 * intersects posting lists inside the index instead of scoring every tenant's matches and filtering afterwards.
 */
export const ragKeywordMigrations: readonly Migration[] = [
  {
    id: '0200-rag-keyword-fts5',
    up: `
      CREATE TABLE rag_keyword_chunks (
        id INTEGER PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        kb_id TEXT NOT NULL,
        chunk_id TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        UNIQUE (tenant_id, kb_id, chunk_id)
      ) STRICT;
      CREATE VIRTUAL TABLE rag_keyword_fts USING fts5(
        scope,
        text,
        content = '',
        contentless_delete = 1,
        tokenize = 'porter unicode61 remove_diacritics 2'
      );
    `,
  },
  {
    id: '0201-rag-keyword-vocab',
    // Document frequency per (stemmed) term, read by long queries to leave out terms too common to matter.
    up: `CREATE VIRTUAL TABLE rag_keyword_vocab USING fts5vocab(rag_keyword_fts, row);`,
  },
];
