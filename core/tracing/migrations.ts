import type { Migration } from '../db.js';

/**
 * The local trace store: one row per finished span, with the fields the viewer filters on as columns and the rest
 * (redacted) as JSON. Tenant, thread and run are copied onto every span when it is made, so a span is attributable
 * on its own, whatever order spans end and are exported in.
 */
export const tracingMigrations: readonly Migration[] = [
  {
    id: '0600-tracing-spans',
    up: `
      CREATE TABLE trace_spans (
        span_id TEXT PRIMARY KEY,
        trace_id TEXT NOT NULL,
        parent_span_id TEXT,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        tenant_id TEXT,
        thread_id TEXT,
        run_id TEXT,
        user_id TEXT,
        agent TEXT,
        status TEXT NOT NULL,
        status_message TEXT,
        start_ms REAL NOT NULL,
        end_ms REAL NOT NULL,
        duration_ms REAL NOT NULL,
        model TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cost_usd REAL,
        attributes TEXT NOT NULL DEFAULT '{}',
        events TEXT NOT NULL DEFAULT '[]'
      ) STRICT;
      CREATE INDEX trace_spans_by_trace ON trace_spans (trace_id, start_ms);
      CREATE INDEX trace_spans_roots ON trace_spans (tenant_id, start_ms) WHERE parent_span_id IS NULL;
      CREATE INDEX trace_spans_by_start ON trace_spans (start_ms);
    `,
  },
  {
    id: '0610-tracing-feedback',
    up: `
      CREATE TABLE feedback (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        trace_id TEXT,
        name TEXT NOT NULL,
        score REAL NOT NULL,
        comment TEXT,
        user_id TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX feedback_by_run ON feedback (tenant_id, run_id);
      ALTER TABLE runs ADD COLUMN trace_id TEXT;
    `,
  },
];
