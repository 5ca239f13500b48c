import type { SqliteDatabase } from '../db.js';

export interface SpanRetentionLimits {
  /** Spans that started longer ago than this are deleted. */
  readonly retentionDays: number;
  /** Beyond this many spans, the oldest are deleted. */
  readonly maxSpans: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps the local trace store within its limits: first by age, then by count (oldest first). Returns how many spans
 * were deleted. Cheap when there is nothing to do: both steps use the `start_ms` index.
 */
export function applySpanRetention(db: SqliteDatabase, limits: SpanRetentionLimits, now: Date): number {
  return db.transaction(() => {
    const cutoff = now.getTime() - limits.retentionDays * DAY_MS;
    let deleted = db.prepare('DELETE FROM trace_spans WHERE start_ms < ?').run(cutoff).changes;
    const count = db.prepare('SELECT COUNT(*) FROM trace_spans').pluck().get() as number;
    if (count > limits.maxSpans) {
      deleted += db
        .prepare('DELETE FROM trace_spans WHERE span_id IN (SELECT span_id FROM trace_spans ORDER BY start_ms ASC LIMIT ?)')
        .run(count - limits.maxSpans).changes;
    }
    return deleted;
  })();
}
