import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../../core/db.js';
import type {
  ChunkMetadata,
  IndexHit,
  KeywordEntry,
  KeywordStore,
  MetadataFilter,
  StoreScope,
} from '../types.js';
import { stemmer } from 'stemmer';
import { queryTerms, toFts5Match, type Fts5QueryOptions } from './fts5-query.js';

/** Options for {@link createFts5KeywordStore}. */
export interface Fts5KeywordStoreOptions {
  /** The runtime's database, already migrated with `ragKeywordMigrations`. */
  readonly db: SqliteDatabase;
  /** How free-text queries become FTS5 queries (stop words, term cap). */
  readonly query?: Fts5QueryOptions;
  /** Matching rows one query may score before its most common terms are left out; defaults to 50,000. */
  readonly postingsBudget?: number;
}

type SqlValue = string | number;

/** Matching rows one query may score before its most common terms are left out (see pruneCommonTerms). */
const DEFAULT_POSTINGS_BUDGET = 50_000;
const MIN_KEPT_TERMS = 6;
/** A scope smaller than this share of all indexed chunks is matched through its token as well (see scopeNarrows). */
const NARROWING_SCOPE_SHARE = 0.5;
/**
 * How long index statistics (row counts, document frequencies) are reused. They only steer which work a query
 * skips, never which rows it may return, and reading them costs a pass over a posting list each: FTS5's vocabulary
 * table counts a term's documents by walking them (the scope token's list holds every chunk of the scope).
 */
const STATISTICS_TTL_MS = 10_000;
/** Distinct terms whose document frequency is remembered; past it the memory starts over. */
const MAX_CACHED_FREQUENCIES = 100_000;
/** Scopes whose narrowing decision is remembered; past it the memory starts over. */
const MAX_CACHED_SCOPES = 10_000;
/** Query statements kept prepared, one per shape of metadata filter. */
const MAX_CACHED_STATEMENTS = 64;

// bm25() weights per FTS5 column, in declaration order: the scope token must not add to any score.
const BM25 = 'bm25(rag_keyword_fts, 0.0, 1.0)';

/**
 * A {@link KeywordStore} on SQLite FTS5: Porter-stemmed, diacritic-folded BM25 (FTS5's k1=1.2, b=0.75) in the
 * runtime's database. Scores are `-bm25()`, so higher is better.
 *
 * Scope: every row carries its tenant and kb twice, as a token in the FTS index (fast: posting-list
 * intersection) and as columns of the mapping table that the query also filters on (the hard guarantee). Note
 * that BM25's collection statistics (document count, average length, document frequencies) are shared by all
 * scopes of one database, as in a shared Lucene index: another tenant's documents shift scores slightly but
 * can never be returned.
 *
 * @example
 * const { db } = openDatabase({ file: 'data/trellis.db', migrations: [...coreMigrations, ...ragKeywordMigrations] });
 * const keyword = createFts5KeywordStore({ db });
 * await keyword.upsert(scope, [{ chunkId: 'c1', text: 'Laminar flow over a flat plate', metadata: {} }]);
 * const hits = await keyword.query(scope, { text: 'flows over plates', topK: 10 });
 */
export function createFts5KeywordStore(options: Fts5KeywordStoreOptions): KeywordStore {
  const { db } = options;
  const statements = {
    findRow: db.prepare<[string, string, string], { id: number }>(
      'SELECT id FROM rag_keyword_chunks WHERE tenant_id = ? AND kb_id = ? AND chunk_id = ?',
    ),
    insertRow: db.prepare<[string, string, string, string]>(
      'INSERT INTO rag_keyword_chunks (tenant_id, kb_id, chunk_id, metadata) VALUES (?, ?, ?, ?)',
    ),
    updateMetadata: db.prepare<[string, number]>('UPDATE rag_keyword_chunks SET metadata = ? WHERE id = ?'),
    deleteRow: db.prepare<[number]>('DELETE FROM rag_keyword_chunks WHERE id = ?'),
    insertText: db.prepare<[number, string, string]>('INSERT INTO rag_keyword_fts (rowid, scope, text) VALUES (?, ?, ?)'),
    deleteText: db.prepare<[number]>('DELETE FROM rag_keyword_fts WHERE rowid = ?'),
    count: db.prepare<[string, string], { count: number }>(
      'SELECT count(*) AS count FROM rag_keyword_chunks WHERE tenant_id = ? AND kb_id = ?',
    ),
    dropText: db.prepare<[string, string]>(
      'DELETE FROM rag_keyword_fts WHERE rowid IN (SELECT id FROM rag_keyword_chunks WHERE tenant_id = ? AND kb_id = ?)',
    ),
    dropRows: db.prepare<[string, string]>('DELETE FROM rag_keyword_chunks WHERE tenant_id = ? AND kb_id = ?'),
  };

  const upsert = db.transaction((scope: StoreScope, entries: readonly KeywordEntry[]) => {
    const token = scopeToken(scope);
    for (const entry of entries) {
      const metadata = JSON.stringify(entry.metadata);
      const existing = statements.findRow.get(scope.tenantId, scope.kbId, entry.chunkId);
      let id: number;
      if (existing) {
        id = existing.id;
        statements.deleteText.run(id);
        statements.updateMetadata.run(metadata, id);
      } else {
        id = Number(statements.insertRow.run(scope.tenantId, scope.kbId, entry.chunkId, metadata).lastInsertRowid);
      }
      statements.insertText.run(id, token, entry.text);
    }
  });

  const remove = db.transaction((scope: StoreScope, chunkIds: readonly string[]) => {
    for (const chunkId of chunkIds) {
      const existing = statements.findRow.get(scope.tenantId, scope.kbId, chunkId);
      if (!existing) continue;
      statements.deleteText.run(existing.id);
      statements.deleteRow.run(existing.id);
    }
  });

  /**
   * Bounds the work of one query: BM25 scores every chunk that matches any term, so the cost is the sum of the
   * terms' document frequencies. Terms are kept rarest first until that sum would pass the budget (but never fewer
   * than a handful); the terms left out are the most common ones, which BM25 weighs least. A query that fits the
   * budget, as nearly all do on small and medium knowledge bases, is left whole.
   */
  const vocabulary = db.prepare<[string], { term: string; doc: number }>(
    'SELECT term, doc FROM rag_keyword_vocab WHERE term IN (SELECT value FROM json_each(?))',
  );
  const postingsBudget = options.postingsBudget ?? DEFAULT_POSTINGS_BUDGET;
  let frequencies = { of: new Map<string, number>(), at: 0 };
  function documentFrequencies(stems: readonly string[]): ReadonlyMap<string, number> {
    if (Date.now() - frequencies.at > STATISTICS_TTL_MS || frequencies.of.size > MAX_CACHED_FREQUENCIES) {
      frequencies = { of: new Map(), at: Date.now() };
    }
    const missing = stems.filter((stem) => !frequencies.of.has(stem));
    if (missing.length > 0) {
      const found = new Map(vocabulary.all(JSON.stringify(missing)).map((row) => [row.term, row.doc]));
      for (const stem of missing) frequencies.of.set(stem, found.get(stem) ?? 0);
    }
    return frequencies.of;
  }
  function pruneCommonTerms(terms: readonly string[]): readonly string[] {
    if (terms.length <= MIN_KEPT_TERMS) return terms;
    const stems = terms.map((term) => stemmer(term));
    const frequency = documentFrequencies(stems);
    // A term whose stem is not in the vocabulary (the stemmers disagree, or it occurs nowhere) costs nothing: kept.
    const ranked = terms.map((term, index) => ({ term, df: frequency.get(stems[index]!) ?? 0 })).sort((a, b) => a.df - b.df);
    const kept: string[] = [];
    let postings = 0;
    for (const { term, df } of ranked) {
      if (kept.length >= MIN_KEPT_TERMS && postings + df > postingsBudget) break;
      kept.push(term);
      postings += df;
    }
    return kept;
  }

  /**
   * Whether ANDing the scope token into the MATCH pays: it lets FTS5 skip other scopes' rows, but its posting list
   * is as long as the scope itself, so for a scope holding most of the index it only adds work. The join on the
   * mapping table's tenant and kb columns enforces the scope either way.
   */
  const scopeSize = db.prepare<[string], number>('SELECT doc FROM rag_keyword_vocab WHERE term = ?').pluck();
  const totalRows = db.prepare<[], number>('SELECT count(*) FROM rag_keyword_chunks').pluck();
  let total = { rows: 0, at: 0 };
  const narrows = new Map<string, { narrows: boolean; at: number }>();
  function scopeNarrows(scope: StoreScope): boolean {
    const token = scopeToken(scope);
    const known = narrows.get(token);
    if (known && Date.now() - known.at <= STATISTICS_TTL_MS) return known.narrows;
    if (Date.now() - total.at > STATISTICS_TTL_MS) total = { rows: totalRows.get() ?? 0, at: Date.now() };
    // The vocabulary holds stemmed terms; an unfound token only means the token is used, as before.
    const size = scopeSize.get(stemmer(token)) ?? 0;
    const decided = { narrows: size < NARROWING_SCOPE_SHARE * total.rows, at: Date.now() };
    if (narrows.size >= MAX_CACHED_SCOPES) narrows.clear();
    narrows.set(token, decided);
    return decided.narrows;
  }

  const queries = new Map<string, Statement<SqlValue[], IndexHit>>();
  function queryStatement(sql: string): Statement<SqlValue[], IndexHit> {
    let statement = queries.get(sql);
    if (!statement) {
      if (queries.size >= MAX_CACHED_STATEMENTS) queries.clear();
      statement = db.prepare<SqlValue[], IndexHit>(sql);
      queries.set(sql, statement);
    }
    return statement;
  }

  const drop = db.transaction((scope: StoreScope) => {
    statements.dropText.run(scope.tenantId, scope.kbId);
    statements.dropRows.run(scope.tenantId, scope.kbId);
  });

  return {
    name: 'sqlite-fts5',
    async upsert(scope, entries) {
      upsert(scope, entries);
    },
    async delete(scope, chunkIds) {
      remove(scope, chunkIds);
    },
    async query(scope, request) {
      const terms = toFts5Match(pruneCommonTerms(queryTerms(request.text, options.query)), 'text');
      if (terms === undefined || request.topK < 1) return [];
      const match = scopeNarrows(scope) ? `scope : "${scopeToken(scope)}" AND ${terms}` : terms;
      const filter = metadataFilterSql(request.filter);
      const sql =
        `SELECT chunks.chunk_id AS chunkId, -${BM25} AS score ` +
        'FROM rag_keyword_fts JOIN rag_keyword_chunks AS chunks ON chunks.id = rag_keyword_fts.rowid ' +
        'WHERE rag_keyword_fts MATCH ? AND chunks.tenant_id = ? AND chunks.kb_id = ?' +
        filter.sql +
        ` ORDER BY ${BM25} LIMIT ?`;
      return queryStatement(sql).all(match, scope.tenantId, scope.kbId, ...filter.params, Math.floor(request.topK));
    },
    async count(scope) {
      return statements.count.get(scope.tenantId, scope.kbId)?.count ?? 0;
    },
    async drop(scope) {
      drop(scope);
    },
  };
}

/**
 * One opaque word per (tenant, kb). Hex keeps it a single unicode61 token whatever the ids contain; the prefix
 * keeps it from being a number. The query side runs the same tokenizer, so stemming cannot break the match.
 */
function scopeToken(scope: StoreScope): string {
  const digest = createHash('sha256').update(`${scope.tenantId}\u0000${scope.kbId}`).digest('hex');
  return `scope${digest.slice(0, 32)}`;
}

/**
 * Metadata equality as SQL over the stored JSON. `json_type` is checked too, so the string "1", the number 1 and
 * the boolean true stay three different values.
 */
function metadataFilterSql(filter: MetadataFilter | undefined): { sql: string; params: SqlValue[] } {
  if (!filter) return { sql: '', params: [] };
  let sql = '';
  const params: SqlValue[] = [];
  for (const [key, expected] of Object.entries(filter)) {
    const values = Array.isArray(expected) ? expected : [expected as ChunkMetadata[string]];
    const path = `$.${JSON.stringify(key)}`;
    if (values.length === 0) return { sql: ' AND 0', params: [] };
    const alternatives = values.map((value) => {
      if (typeof value === 'boolean') {
        params.push(path, value ? 'true' : 'false');
        return 'json_type(chunks.metadata, ?) = ?';
      }
      params.push(path, path, value);
      return typeof value === 'string'
        ? "(json_type(chunks.metadata, ?) = 'text' AND json_extract(chunks.metadata, ?) = ?)"
        : "(json_type(chunks.metadata, ?) IN ('integer', 'real') AND json_extract(chunks.metadata, ?) = ?)";
    });
    sql += ` AND (${alternatives.join(' OR ')})`;
  }
  return { sql, params };
}
