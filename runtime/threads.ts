import type { Migration, SqliteDatabase } from '../core/db.js';
import { TrellisError } from '../core/errors.js';

/** A conversation: its checkpoints live in the checkpointer, its ownership and metadata here. */
export interface Thread {
  readonly id: string;
  readonly tenantId: string;
  /** What runs on it: a graph (`rag`, `research`) or an agent name. */
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
  constructor(
    private readonly db: SqliteDatabase,
    private readonly generateId: () => string,
    private readonly now: () => Date,
  ) {}

  create(tenantId: string, target: string, metadata: Record<string, unknown> = {}, id = this.generateId()): Thread {
    const at = this.now().toISOString();
    this.db
      .prepare('INSERT INTO threads (id, tenant_id, target, metadata, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, tenantId, target, JSON.stringify(metadata), at, at);
    return this.get(tenantId, id);
  }

  /** The tenant's thread; THREAD_NOT_FOUND for unknown ids and for other tenants' threads alike. */
  get(tenantId: string, id: string): Thread {
    const row = this.db
      .prepare<[string, string], ThreadRow>('SELECT * FROM threads WHERE id = ? AND tenant_id = ?')
      .get(id, tenantId);
    if (!row) throw new TrellisError('THREAD_NOT_FOUND', `thread ${id} not found`, { details: { threadId: id } });
    return toThread(row);
  }

  list(tenantId: string, limit = 50): readonly Thread[] {
    return this.db
      .prepare<[string, number], ThreadRow>('SELECT * FROM threads WHERE tenant_id = ? ORDER BY updated_at DESC LIMIT ?')
      .all(tenantId, limit)
      .map(toThread);
  }

  touch(thread: Thread): void {
    this.db.prepare('UPDATE threads SET updated_at = ? WHERE id = ?').run(this.now().toISOString(), thread.id);
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
