import type { Migration, SqliteDatabase } from '../core/db.js';
import { TrellisError } from '../core/errors.js';

/** A conversation: its checkpoints live in the checkpointer, its ownership and metadata here. */
export interface Thread {
  readonly id: string;
  readonly tenantId: string;
  /** What runs on it: a graph (`rag`, `research`) or an agent name; empty until the first run on a thread made empty. */
  readonly target: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const threadMigrations: readonly Migration[] = [
  {
    id: '0400-runtime-threads',
    up: `
      CREATE TABLE threads (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        target TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX threads_by_tenant ON threads (tenant_id, updated_at);
    `,
  },
];

interface ThreadRow {
  id: string;
  tenant_id: string;
  target: string;
  metadata: string;
  created_at: string;
  updated_at: string;
}

/**
 * Thread ownership. LangGraph's checkpointers key state by thread id alone; this table ties each id to one tenant,
 * and every lookup checks it, so a thread id guessed or leaked from another tenant behaves as if it did not exist.
 */
export class Threads {
  // Prepared once: every run reads, and most create or touch, a thread.
  private readonly insertThread;
  private readonly selectThread;
  private readonly touchThread;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly generateId: () => string,
    private readonly now: () => Date,
  ) {
    this.insertThread = db.prepare('INSERT INTO threads (id, tenant_id, target, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectThread = db.prepare<[string, string], ThreadRow>('SELECT * FROM threads WHERE id = ? AND tenant_id = ?');
    this.touchThread = db.prepare('UPDATE threads SET updated_at = ? WHERE id = ?');
  }

  create(tenantId: string, target: string, metadata: Record<string, unknown> = {}, id = this.generateId()): Thread {
    const thread = this.draft(tenantId, target, metadata, id);
    this.insert(thread);
    return thread;
  }

  /** A new thread that is not stored (yet): a temporary one, which `insert` stores if it is to be kept. */
  draft(tenantId: string, target: string, metadata: Record<string, unknown> = {}, id = this.generateId()): Thread {
    const at = this.now().toISOString();
    return { id, tenantId, target, metadata: { ...metadata }, createdAt: at, updatedAt: at };
  }

  insert(thread: Thread): void {
    this.insertThread.run(thread.id, thread.tenantId, thread.target, JSON.stringify(thread.metadata), thread.createdAt, thread.updatedAt);
  }

  /** The tenant's thread; THREAD_NOT_FOUND for unknown ids and for other tenants' threads alike. */
  get(tenantId: string, id: string): Thread {
    const row = this.selectThread.get(id, tenantId);
    if (!row) throw new TrellisError('THREAD_NOT_FOUND', `thread ${id} not found`, { details: { threadId: id } });
    return toThread(row);
  }

  list(tenantId: string, limit = 50): readonly Thread[] {
    return this.db
      .prepare<[string, number], ThreadRow>('SELECT * FROM threads WHERE tenant_id = ? ORDER BY updated_at DESC LIMIT ?')
      .all(tenantId, limit)
      .map(toThread);
  }

  /** Tenant's threads whose metadata holds every given key/value, newest first. */
  search(tenantId: string, options: { metadata?: Record<string, unknown>; limit: number; offset: number }): readonly Thread[] {
    const filters = Object.entries(options.metadata ?? {});
    const where = filters.map(() => 'json_extract(metadata, ?) IS json_extract(?, \'$\')').join(' AND ');
    const params = filters.flatMap(([key, value]) => [`$."${key.replaceAll('"', '""')}"`, JSON.stringify(value)]);
    return this.db
      .prepare<unknown[], ThreadRow>(
        `SELECT * FROM threads WHERE tenant_id = ? ${where ? `AND ${where}` : ''} ORDER BY updated_at DESC, rowid DESC LIMIT ? OFFSET ?`,
      )
      .all(tenantId, ...params, options.limit, options.offset)
      .map(toThread);
  }

  /** Binds a thread created without a target to the first graph or agent that runs on it. */
  assignTarget(thread: Thread, target: string, kb: string | undefined): void {
    const metadata = { ...thread.metadata, ...(kb ? { kb } : {}) };
    this.db.prepare('UPDATE threads SET target = ?, metadata = ? WHERE id = ?').run(target, JSON.stringify(metadata), thread.id);
  }

  updateMetadata(thread: Thread, metadata: Record<string, unknown>): Thread {
    this.db
      .prepare('UPDATE threads SET metadata = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify({ ...thread.metadata, ...metadata }), this.now().toISOString(), thread.id);
    return this.get(thread.tenantId, thread.id);
  }

  /** Whether any tenant has a thread with this id (ids are global, so a client-chosen id must be free). */
  exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM threads WHERE id = ?').get(id) !== undefined;
  }

  touch(thread: Thread): void {
    this.touchThread.run(this.now().toISOString(), thread.id);
  }

  delete(thread: Thread): void {
    this.db.prepare('DELETE FROM threads WHERE id = ?').run(thread.id);
  }
}

function toThread(row: ThreadRow): Thread {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    target: row.target,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
