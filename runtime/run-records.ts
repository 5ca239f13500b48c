import type { Migration, SqliteDatabase } from '../core/db.js';
import { TrellisError } from '../core/errors.js';

/**
 * A run's life: `pending` (queued behind another run on its thread), `running`, then `completed`, `interrupted`
 * (waiting for a person: resume it with a Command), `failed` or `cancelled`.
 */
export type RunStatus = 'pending' | 'running' | 'completed' | 'interrupted' | 'failed' | 'cancelled';

/** What several runs on one thread do: refuse the new one, cancel the old one, or queue behind it. */
export type MultitaskStrategy = 'reject' | 'interrupt' | 'rollback' | 'enqueue';

export interface RunRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly threadId: string;
  readonly target: string;
  readonly status: RunStatus;
  readonly multitaskStrategy: MultitaskStrategy;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The request as the client sent it, kept for the APIs that echo it back (LangGraph's `kwargs`). */
  readonly request: Readonly<Record<string, unknown>>;
  readonly error: { readonly code: string; readonly message: string; readonly hint: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const runRecordMigrations: readonly Migration[] = [
  {
    id: '0410-runtime-runs',
    up: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        target TEXT NOT NULL,
        status TEXT NOT NULL,
        multitask_strategy TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        request TEXT NOT NULL DEFAULT '{}',
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX runs_by_thread ON runs (thread_id, created_at);
      CREATE INDEX runs_by_status ON runs (status);
    `,
  },
];

interface RunRow {
  id: string;
  tenant_id: string;
  thread_id: string;
  target: string;
  status: string;
  multitask_strategy: string;
  metadata: string;
  request: string;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export type NewRunRecord = Pick<RunRecord, 'id' | 'tenantId' | 'threadId' | 'target' | 'status' | 'multitaskStrategy' | 'metadata' | 'request'>;

/**
 * Runs as rows: they outlive the process, so a client can look a run up (or list a thread's runs) after a restart.
 * Tenant-scoped like threads: another tenant's run id reads as unknown.
 */
export class RunRecords {
  // Prepared once: every run inserts and updates its row, and preparing costs more than the write.
  private readonly insertRun;
  private readonly insertWholeRun;
  private readonly updateRun;
  private readonly updateRunWithTrace;
  private readonly selectRun;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => Date,
  ) {
    this.insertRun = db.prepare(
      `INSERT INTO runs (id, tenant_id, thread_id, target, status, multitask_strategy, metadata, request, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertWholeRun = db.prepare(
      `INSERT INTO runs (id, tenant_id, thread_id, target, status, multitask_strategy, metadata, request, error, trace_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.updateRun = db.prepare('UPDATE runs SET status = ?, error = ?, updated_at = ? WHERE id = ?');
    this.updateRunWithTrace = db.prepare('UPDATE runs SET status = ?, error = ?, updated_at = ?, trace_id = ? WHERE id = ?');
    this.selectRun = db.prepare<[string, string], RunRow>('SELECT * FROM runs WHERE id = ? AND tenant_id = ?');
  }

  insert(run: NewRunRecord): RunRecord {
    const record = this.draft(run);
    this.insertRun.run(run.id, run.tenantId, run.threadId, run.target, run.status, run.multitaskStrategy, JSON.stringify(run.metadata), JSON.stringify(run.request), record.createdAt, record.updatedAt);
    return record;
  }

  /** A new run's record that is not stored (yet): a temporary thread's run, which `store` stores if it is kept. */
  draft(run: NewRunRecord): RunRecord {
    const at = this.now().toISOString();
    return { ...run, error: null, createdAt: at, updatedAt: at };
  }

  /** Stores a drafted record as it stands, with the trace it was linked to. */
  store(run: RunRecord, traceId: string | undefined): void {
    this.insertWholeRun.run(
      run.id,
      run.tenantId,
      run.threadId,
      run.target,
      run.status,
      run.multitaskStrategy,
      JSON.stringify(run.metadata),
      JSON.stringify(run.request),
      run.error ? JSON.stringify(run.error) : null,
      traceId ?? null,
      run.createdAt,
      run.updatedAt,
    );
  }

  /** The record with a new status, as `update` would leave it, without storing it (a temporary thread's run). */
  changed(run: RunRecord, change: { status: RunStatus; error?: RunRecord['error'] }): RunRecord {
    return { ...run, status: change.status, error: change.error ?? null, updatedAt: this.now().toISOString() };
  }

  /**
   * A new status (and error). `traceId` links the run to its trace (core/tracing), so feedback and the trace viewer
   * can find one from the other.
   */
  update(run: RunRecord, change: { status: RunStatus; error?: RunRecord['error']; traceId?: string }): RunRecord {
    const record = this.changed(run, change);
    const error = change.error ? JSON.stringify(change.error) : null;
    if (change.traceId === undefined) this.updateRun.run(change.status, error, record.updatedAt, run.id);
    else this.updateRunWithTrace.run(change.status, error, record.updatedAt, change.traceId, run.id);
    return record;
  }

  get(tenantId: string, runId: string): RunRecord {
    const row = this.selectRun.get(runId, tenantId);
    if (!row) throw new TrellisError('RUN_NOT_FOUND', `run ${runId} not found`, { details: { runId } });
    return toRecord(row);
  }

  /** The thread's runs, newest first; with `statuses`, only runs in one of them. */
  listByThread(tenantId: string, threadId: string, options: { limit: number; offset: number; statuses?: readonly RunStatus[] }): readonly RunRecord[] {
    const statuses = options.statuses ?? [];
    const filter = statuses.length > 0 ? ` AND status IN (${statuses.map(() => '?').join(', ')})` : '';
    return this.db
      .prepare<unknown[], RunRow>(
        `SELECT * FROM runs WHERE thread_id = ? AND tenant_id = ?${filter} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
      )
      .all(threadId, tenantId, ...statuses, options.limit, options.offset)
      .map(toRecord);
  }

  deleteByThread(threadId: string): void {
    this.db.prepare('DELETE FROM runs WHERE thread_id = ?').run(threadId);
  }

  /**
   * Runs a previous process left unfinished (it crashed, or was killed past its grace period) are marked failed:
   * their threads keep every checkpoint written, so the client can run again from there.
   */
  failUnfinished(): number {
    const error = JSON.stringify({ code: 'SERVER_SHUTTING_DOWN', message: 'the server stopped before the run finished', hint: 'Run again on the same thread: it continues from its last checkpoint.' });
    return this.db
      .prepare("UPDATE runs SET status = 'failed', error = ?, updated_at = ? WHERE status IN ('pending', 'running')")
      .run(error, this.now().toISOString()).changes;
  }
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    threadId: row.thread_id,
    target: row.target,
    status: row.status as RunStatus,
    multitaskStrategy: row.multitask_strategy as MultitaskStrategy,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    request: JSON.parse(row.request) as Record<string, unknown>,
    error: row.error ? (JSON.parse(row.error) as RunRecord['error']) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
