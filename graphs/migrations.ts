import type { Migration } from '../core/db.js';

/**
 * The graphs layer's schema, after core's (0001) and rag's (0100, 0200).
 *
 * `tool_journal` records each tool call of a checkpointed thread before and after it runs. LangGraph checkpoints
 * after a node, not inside it, so a process that dies during the tools node re-runs that node on resume; the
 * journal is what tells a call that already finished (reuse its result) from one that was cut off (re-run it only
 * if the tool is idempotent).
 */
export const graphsMigrations: readonly Migration[] = [
  {
    id: '0300-graphs-tool-journal',
    up: `
      CREATE TABLE tool_journal (
        thread_id TEXT NOT NULL,
        tool_call_id TEXT NOT NULL,
        tool TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('started', 'finished')),
        result TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        PRIMARY KEY (thread_id, tool_call_id)
      ) STRICT;
    `,
  },
];
