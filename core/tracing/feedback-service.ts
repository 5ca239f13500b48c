import { TrellisError } from '../errors.js';
import type { FeedbackRecord, FeedbackStore } from './feedback-store.js';
import type { ScoreExporter, ScoreExportStats } from './langfuse-scores.js';

/** The name of a score from a person in a chat UI, unless the client names it. */
export const USER_FEEDBACK_NAME = 'user-feedback';

export interface RecordScoreInput {
  readonly tenantId: string;
  readonly runId: string;
  /** When given, the run must be on this thread (a client scoring a run through its thread's URL). */
  readonly threadId?: string;
  /** What is scored: `user-feedback` by default; evaluators name their metric (`faithfulness`, `exact-match`). */
  readonly name?: string;
  /** Any finite number; user feedback is 0 to 1 (thumbs up 1, down 0), which the API and WebSocket enforce. */
  readonly score: number;
  readonly comment?: string;
}

/**
 * Scores on runs: a person's thumbs or rating from the API or WebSocket, and (for evals) an evaluator's metric.
 * Each is stored in the `feedback` table with the run's trace id, then sent to Langfuse (when configured) as a score
 * on that trace. The table is the record: a Langfuse outage never fails or slows the call.
 */
export interface FeedbackService {
  /** Records a score on the tenant's run; RUN_NOT_FOUND for unknown runs, other tenants' runs and runs of another thread. */
  record(input: RecordScoreInput): FeedbackRecord;
  /** A thread's scores, newest first. */
  list(tenantId: string, threadId: string, options?: { runId?: string; limit?: number }): readonly FeedbackRecord[];
  /** Counts of scores sent to Langfuse, failed and dropped. */
  exportStats(): ScoreExportStats;
  /** Settles once every score recorded so far has reached Langfuse or failed. */
  flush(): Promise<void>;
  /** Gives scores in flight `graceMs` to arrive, then abandons them (they stay in the table). */
  shutdown(graceMs: number): Promise<void>;
}

export interface FeedbackServiceOptions {
  readonly store: FeedbackStore;
  readonly exporter: ScoreExporter;
  readonly generateId: () => string;
  readonly now: () => Date;
}

const MAX_NAME_LENGTH = 100;

/** @example runtime.feedback.record({ tenantId, runId, name: 'faithfulness', score: 0.83, comment: 'judge: 5 of 6 claims supported' }) */
export function createFeedbackService(options: FeedbackServiceOptions): FeedbackService {
  const { store, exporter } = options;
  return {
    record(input) {
      const name = input.name ?? USER_FEEDBACK_NAME;
      if (!Number.isFinite(input.score)) throw new TrellisError('FEEDBACK_INVALID', `score ${String(input.score)} is not a finite number`);
      if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
        throw new TrellisError('FEEDBACK_INVALID', `score name must be 1 to ${MAX_NAME_LENGTH} characters; got ${name.length}`);
      }
      const run = store.run(input.tenantId, input.runId);
      if (!run || (input.threadId !== undefined && run.threadId !== input.threadId)) {
        const where = input.threadId === undefined ? '' : ` on thread ${input.threadId}`;
        throw new TrellisError('RUN_NOT_FOUND', `run ${input.runId} not found${where}`, { details: { runId: input.runId } });
      }
      const record: FeedbackRecord = {
        id: options.generateId(),
        tenantId: input.tenantId,
        threadId: run.threadId,
        runId: input.runId,
        traceId: run.traceId,
        name,
        score: input.score,
        comment: input.comment ?? null,
        userId: run.userId,
        createdAt: options.now().toISOString(),
      };
      store.insert(record);
      // A run that was not traced has no trace to score in Langfuse; its score stays local.
      if (record.traceId !== null) {
        exporter.export({
          id: record.id,
          traceId: record.traceId,
          name,
          value: record.score,
          ...(input.comment !== undefined ? { comment: input.comment } : {}),
          metadata: { tenant_id: record.tenantId, thread_id: record.threadId, run_id: record.runId },
        });
      }
      return record;
    },
    list(tenantId, threadId, listOptions = {}) {
      return store.listByThread(tenantId, threadId, { runId: listOptions.runId, limit: listOptions.limit ?? 50 });
    },
    exportStats: () => exporter.stats(),
    flush: () => exporter.flush(),
    shutdown: (graceMs) => exporter.shutdown(graceMs),
  };
}
