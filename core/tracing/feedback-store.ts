import type { SqliteDatabase } from '../db.js';

/** A score on one run: a person's thumbs or rating, or an evaluator's metric. */
export interface FeedbackRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly threadId: string;
  readonly runId: string;
  /** The run's trace, which the score is attached to in Langfuse; null when the run was not traced. */
  readonly traceId: string | null;
  readonly name: string;
  readonly score: number;
  readonly comment: string | null;
  /** The user the run was for (its `metadata.user`), as on its spans. */
  readonly userId: string | null;
  readonly createdAt: string;
}

/** What feedback needs to know about the run it scores. */
export interface ScoredRun {
  readonly threadId: string;
  readonly traceId: string | null;
  readonly userId: string | null;
}

interface FeedbackRow {
  id: string;
  tenant_id: string;
  thread_id: string;
  run_id: string;
  trace_id: string | null;
  name: string;
  score: number;
  comment: string | null;
  user_id: string | null;
  created_at: string;
}

/**
 * The `feedback` table, and the one read of the `runs` table that tracing owns: its `trace_id` column (added by
 * core/tracing/migrations.ts, set when a run's root span starts). Tenant-scoped: another tenant's run reads as absent.
 */
export class FeedbackStore {
  private readonly insertFeedback;
  private readonly selectRun;

  constructor(private readonly db: SqliteDatabase) {
    this.insertFeedback = db.prepare(
      `INSERT INTO feedback (id, tenant_id, thread_id, run_id, trace_id, name, score, comment, user_id, created_at)
       VALUES (@id, @tenantId, @threadId, @runId, @traceId, @name, @score, @comment, @userId, @createdAt)`,
    );
    this.selectRun = db.prepare<[string, string], { thread_id: string; trace_id: string | null; user_id: string | null }>(
      `SELECT thread_id, trace_id,
         CASE WHEN json_type(metadata, '$.user') = 'text' THEN json_extract(metadata, '$.user') END AS user_id
       FROM runs WHERE id = ? AND tenant_id = ?`,
    );
  }

  /** The tenant's run, or undefined for unknown ids and other tenants' runs alike. */
  run(tenantId: string, runId: string): ScoredRun | undefined {
    const row = this.selectRun.get(runId, tenantId);
    return row ? { threadId: row.thread_id, traceId: row.trace_id, userId: row.user_id } : undefined;
  }

  insert(record: FeedbackRecord): void {
    this.insertFeedback.run(record);
  }

  /** Erases a deleted thread's feedback. */
  deleteByThread(tenantId: string, threadId: string): void {
    this.db.prepare('DELETE FROM feedback WHERE tenant_id = ? AND thread_id = ?').run(tenantId, threadId);
  }

  /** A thread's feedback, newest first; with `runId`, only that run's. */
  listByThread(tenantId: string, threadId: string, options: { runId?: string; limit: number }): readonly FeedbackRecord[] {
    const runFilter = options.runId === undefined ? '' : ' AND run_id = ?';
    return this.db
      .prepare<unknown[], FeedbackRow>(
        `SELECT * FROM feedback WHERE tenant_id = ? AND thread_id = ?${runFilter} ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      )
      .all(tenantId, threadId, ...(options.runId === undefined ? [] : [options.runId]), options.limit)
      .map(toRecord);
  }
}

function toRecord(row: FeedbackRow): FeedbackRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    threadId: row.thread_id,
    runId: row.run_id,
    traceId: row.trace_id,
    name: row.name,
    score: row.score,
    comment: row.comment,
    userId: row.user_id,
    createdAt: row.created_at,
  };
}
