import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../core/db.js';
import type { Chunk } from '../chunk.js';
import type { LoadedDocument } from '../loaders/types.js';

/** What is known of a stored document before re-ingesting it. */
export interface StoredDocumentState {
  readonly contentHash: string;
  readonly status: 'indexing' | 'ready';
}

/** A chunk with the document facts a citation needs. */
export interface StoredChunk {
  readonly id: string;
  readonly documentId: string;
  readonly position: number;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly page: number | null;
  readonly source: string;
  readonly title: string | null;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
}

/** The effect of replacing one document's chunks, for the indexes to follow. */
export interface ReplaceResult {
  /** Chunks the indexes must (re)write: all of them unless the document was fully indexed before. */
  readonly toIndex: readonly Chunk[];
  /** Chunk ids the indexes must delete (also recorded as tombstones until they have). */
  readonly removed: readonly string[];
  /**
   * Ids of `toIndex` that SQLite did not hold before. No index holds them either, once the tombstones are
   * processed (every removal from SQLite leaves one), so they can be added rather than replaced.
   */
  readonly added: ReadonlySet<string>;
  readonly created: boolean;
}

/** What a listing shows of a stored document: its facts and sizes, not its text. */
export interface DocumentInfo {
  readonly id: string;
  readonly source: string;
  readonly title: string | null;
  readonly mimeType: string;
  readonly contentHash: string;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
  readonly status: 'indexing' | 'ready';
  readonly chunks: number;
  readonly characters: number;
  /** Page count of paginated sources (PDF); null for the others. */
  readonly pages: number | null;
  readonly updatedAt: string;
}

interface DocumentInfoRow {
  id: string;
  source: string;
  title: string | null;
  mime_type: string;
  content_hash: string;
  metadata: string;
  status: 'indexing' | 'ready';
  chunks: number;
  characters: number;
  pages: number | null;
  updated_at: string;
}

const DOCUMENT_INFO_COLUMNS = `d.id, d.source, d.title, d.mime_type, d.content_hash, d.metadata, d.status, d.updated_at,
  length(d.text) AS characters, json_array_length(d.pages) AS pages,
  (SELECT count(*) FROM chunks c WHERE c.kb_id = d.kb_id AND c.document_id = d.id) AS chunks`;

interface ChunkRow {
  id: string;
  document_id: string;
  position: number;
  text: string;
  start_offset: number;
  end_offset: number;
  page: number | null;
  source: string;
  title: string | null;
  metadata: string;
}

/**
 * Documents and chunks in SQLite, the source of truth. Every change to a document's chunks is one transaction
 * that also records the removed chunk ids as tombstones, so the indexes can always be brought in line with it.
 */
export class Documents {
  // Preparing a statement costs more than running it on a small row: ingestion runs several per document.
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => Date,
  ) {}

  state(kbId: string, documentId: string): StoredDocumentState | undefined {
    const row = this.prepare<[string, string], { content_hash: string; status: 'indexing' | 'ready' }>(
      'SELECT content_hash, status FROM documents WHERE kb_id = ? AND id = ?',
    ).get(kbId, documentId);
    return row && { contentHash: row.content_hash, status: row.status };
  }

  /**
   * Stores the document with its new chunks, marked `indexing`. Chunk ids derive from content, so a passage that
   * did not change keeps its id and, when the document was fully indexed before, needs no new embedding.
   */
  replace(kbId: string, document: LoadedDocument, chunks: readonly Chunk[]): ReplaceResult {
    return this.db.transaction(() => this.replaceInTransaction(kbId, document, chunks))();
  }

  /** `replace` for a batch of documents, in one transaction (one commit instead of one per document). */
  replaceMany(kbId: string, batch: readonly { document: LoadedDocument; chunks: readonly Chunk[] }[]): ReplaceResult[] {
    // Not `replace` per document: a nested transaction is a savepoint, two more statements per document.
    return this.db.transaction(() => batch.map(({ document, chunks }) => this.replaceInTransaction(kbId, document, chunks)))();
  }

  private replaceInTransaction(kbId: string, document: LoadedDocument, chunks: readonly Chunk[]): ReplaceResult {
    const before = this.state(kbId, document.id);
    const oldIds = new Set(
      this.prepare<[string, string], string>('SELECT id FROM chunks WHERE kb_id = ? AND document_id = ?')
        .pluck()
        .all(kbId, document.id),
    );
    const newIds = new Set(chunks.map((chunk) => chunk.id));
    const removed = [...oldIds].filter((id) => !newIds.has(id));
    this.tombstone(kbId, removed);
    const deleteChunk = this.prepare('DELETE FROM chunks WHERE kb_id = ? AND id = ?');
    for (const id of removed) deleteChunk.run(kbId, id);
    this.prepare(
      `INSERT INTO documents (kb_id, id, source, title, mime_type, content_hash, metadata, text, pages, status, updated_at)
       VALUES (@kbId, @id, @source, @title, @mimeType, @contentHash, @metadata, @text, @pages, 'indexing', @updatedAt)
       ON CONFLICT (kb_id, id) DO UPDATE SET source = excluded.source, title = excluded.title,
         mime_type = excluded.mime_type, content_hash = excluded.content_hash, metadata = excluded.metadata,
         text = excluded.text, pages = excluded.pages, status = 'indexing', updated_at = excluded.updated_at`,
    ).run({
      kbId,
      id: document.id,
      source: document.source,
      title: document.title ?? null,
      mimeType: document.mimeType,
      contentHash: document.contentHash,
      metadata: JSON.stringify(document.metadata),
      text: document.text,
      pages: document.pages ? JSON.stringify(document.pages) : null,
      updatedAt: this.now().toISOString(),
    });
    const upsert = this.prepare(
      `INSERT INTO chunks (kb_id, id, document_id, position, text, start_offset, end_offset, page)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (kb_id, id) DO UPDATE SET position = excluded.position, start_offset = excluded.start_offset,
         end_offset = excluded.end_offset, page = excluded.page`,
    );
    for (const chunk of chunks) {
      upsert.run(kbId, chunk.id, document.id, chunk.index, chunk.text, chunk.start, chunk.end, chunk.page ?? null);
    }
    const wasIndexed = before?.status === 'ready';
    return {
      toIndex: wasIndexed ? chunks.filter((chunk) => !oldIds.has(chunk.id)) : chunks,
      removed,
      added: new Set(chunks.filter((chunk) => !oldIds.has(chunk.id)).map((chunk) => chunk.id)),
      created: before === undefined,
    };
  }

  markReady(kbId: string, documentIds: readonly string[]): void {
    const mark = this.prepare("UPDATE documents SET status = 'ready' WHERE kb_id = ? AND id = ?");
    this.db.transaction(() => {
      for (const id of documentIds) mark.run(kbId, id);
    })();
  }

  /** Removes a document and its chunks, leaving tombstones for the indexes. Returns the removed chunk ids. */
  remove(kbId: string, documentId: string): readonly string[] {
    return this.db.transaction(() => {
      const ids = this.prepare<[string, string], string>('SELECT id FROM chunks WHERE kb_id = ? AND document_id = ?')
        .pluck()
        .all(kbId, documentId);
      this.tombstone(kbId, ids);
      this.prepare('DELETE FROM documents WHERE kb_id = ? AND id = ?').run(kbId, documentId);
      return ids;
    })();
  }

  documentIds(kbId: string): readonly string[] {
    return this.prepare<[string], string>('SELECT id FROM documents WHERE kb_id = ? ORDER BY id').pluck().all(kbId);
  }

  /** A page of the knowledge base's documents in id order, after the id `after` (keyset paging stays fast deep in). */
  list(kbId: string, page: { after?: string; limit: number }): readonly DocumentInfo[] {
    return this.prepare<[string, string, number], DocumentInfoRow>(`SELECT ${DOCUMENT_INFO_COLUMNS} FROM documents d WHERE d.kb_id = ? AND d.id > ? ORDER BY d.id LIMIT ?`)
      .all(kbId, page.after ?? '', page.limit)
      .map(toDocumentInfo);
  }

  /** One document with its text (citations' spans point into it); undefined when the knowledge base has no such id. */
  get(kbId: string, documentId: string): (DocumentInfo & { readonly text: string }) | undefined {
    const row = this.prepare<[string, string], DocumentInfoRow & { text: string }>(
      `SELECT d.text, ${DOCUMENT_INFO_COLUMNS} FROM documents d WHERE d.kb_id = ? AND d.id = ?`,
    ).get(kbId, documentId);
    return row && { ...toDocumentInfo(row), text: row.text };
  }

  countDocuments(kbId: string): number {
    return this.prepare<[string], number>('SELECT count(*) FROM documents WHERE kb_id = ?').pluck().get(kbId) ?? 0;
  }

  tombstones(kbId: string): readonly string[] {
    return this.prepare<[string], string>('SELECT chunk_id FROM chunk_tombstones WHERE kb_id = ?').pluck().all(kbId);
  }

  clearTombstones(kbId: string, chunkIds: readonly string[]): void {
    const clear = this.prepare('DELETE FROM chunk_tombstones WHERE kb_id = ? AND chunk_id = ?');
    this.db.transaction(() => {
      for (const id of chunkIds) clear.run(kbId, id);
    })();
  }

  countChunks(kbId: string): number {
    return this.prepare<[string], number>('SELECT count(*) FROM chunks WHERE kb_id = ?').pluck().get(kbId) ?? 0;
  }

  /** Chunks with their documents' facts, in the order of `ids`; ids that no longer exist are left out. */
  chunks(kbId: string, ids: readonly string[]): readonly StoredChunk[] {
    if (ids.length === 0) return [];
    const rows = this.prepare<unknown[], ChunkRow>(
      `SELECT c.id, c.document_id, c.position, c.text, c.start_offset, c.end_offset, c.page, d.source, d.title, d.metadata
       FROM chunks c JOIN documents d ON d.kb_id = c.kb_id AND d.id = c.document_id
       WHERE c.kb_id = ? AND c.id IN (SELECT value FROM json_each(?))`,
    ).all(kbId, JSON.stringify(ids));
    const byId = new Map(rows.map((row) => [row.id, toStoredChunk(row)]));
    return ids.map((id) => byId.get(id)).filter((chunk): chunk is StoredChunk => chunk !== undefined);
  }

  /** Every chunk of a knowledge base in pages of `pageSize`, for rebuilding the indexes with bounded memory. */
  *allChunks(kbId: string, pageSize = 500): Generator<readonly StoredChunk[]> {
    let after = '';
    const page = this.prepare<[string, string, number], ChunkRow>(
      `SELECT c.id, c.document_id, c.position, c.text, c.start_offset, c.end_offset, c.page, d.source, d.title, d.metadata
       FROM chunks c JOIN documents d ON d.kb_id = c.kb_id AND d.id = c.document_id
       WHERE c.kb_id = ? AND c.id > ? ORDER BY c.id LIMIT ?`,
    );
    for (;;) {
      const rows = page.all(kbId, after, pageSize);
      if (rows.length === 0) return;
      yield rows.map(toStoredChunk);
      after = rows.at(-1)!.id;
    }
  }

  /** The statement for `sql`, prepared on first use; `pluck` is fixed per text, so a cached statement keeps it. */
  private prepare<Parameters extends unknown[] | object = unknown[], Row = unknown>(sql: string): Statement<Parameters, Row> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as unknown as Statement<Parameters, Row>;
  }

  private tombstone(kbId: string, chunkIds: readonly string[]): void {
    const insert = this.prepare('INSERT OR IGNORE INTO chunk_tombstones (kb_id, chunk_id) VALUES (?, ?)');
    for (const id of chunkIds) insert.run(kbId, id);
  }
}

function toDocumentInfo(row: DocumentInfoRow): DocumentInfo {
  return {
    id: row.id,
    source: row.source,
    title: row.title,
    mimeType: row.mime_type,
    contentHash: row.content_hash,
    metadata: JSON.parse(row.metadata) as DocumentInfo['metadata'],
    status: row.status,
    chunks: row.chunks,
    characters: row.characters,
    pages: row.pages,
    updatedAt: row.updated_at,
  };
}

function toStoredChunk(row: ChunkRow): StoredChunk {
  return {
    id: row.id,
    documentId: row.document_id,
    position: row.position,
    text: row.text,
    start: row.start_offset,
    end: row.end_offset,
    page: row.page,
    source: row.source,
    title: row.title,
    metadata: JSON.parse(row.metadata) as StoredChunk['metadata'],
  };
}
