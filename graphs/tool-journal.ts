import type { SqliteDatabase } from '../core/db.js';
import type { ToolResult } from '../tools/execute-tool.js';

/** One journaled tool call: `started` until its result is stored, then `finished`. */
export type ToolJournalEntry =
  | { readonly status: 'started'; readonly tool: string; readonly startedAt: string }
  | { readonly status: 'finished'; readonly tool: string; readonly startedAt: string; readonly result: ToolResult };

/**
 * A durable record of the tool calls of each thread, in the runtime's SQLite database (`graphsMigrations`), so a
 * restarted process knows which calls of an interrupted tools node already ran. Writes are synchronous and
 * committed before they return: `start` is on disk before the tool runs.
 */
export interface ToolJournal {
  lookup(threadId: string, toolCallId: string): ToolJournalEntry | undefined;
  /** Records that the call is about to run (again, after an interruption: the start time is renewed). */
  start(threadId: string, toolCallId: string, tool: string): void;
  /** Stores the call's result; from now on the call is never run again. */
  finish(threadId: string, toolCallId: string, result: ToolResult): void;
  /** Forgets every call of a thread, for when the thread itself is deleted. */
  deleteThread(threadId: string): void;
}

export interface CreateToolJournalOptions {
  /** A database migrated with `graphsMigrations` (the runtime's `trellis.db`). */
  readonly db: SqliteDatabase;
  readonly now?: () => Date;
}

interface JournalRow {
  readonly tool: string;
  readonly status: 'started' | 'finished';
  readonly result: string | null;
  readonly started_at: string;
}

/**
 * Opens the tool journal on a migrated database.
 *
 * @example
 * const journal = createToolJournal({ db: runtime.db });
 * const graph = buildReactGraph({ agent, model, tools, toolContext, limits, journal }).compile({ checkpointer });
 */
export function createToolJournal(options: CreateToolJournalOptions): ToolJournal {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const select = db.prepare<[string, string], JournalRow>(
    'SELECT tool, status, result, started_at FROM tool_journal WHERE thread_id = ? AND tool_call_id = ?',
  );
  // A call id seen again under another tool name is a different call (an id reused by a provider): it starts afresh.
  const upsertStarted = db.prepare<[string, string, string, string]>(`
    INSERT INTO tool_journal (thread_id, tool_call_id, tool, status, result, started_at, finished_at)
    VALUES (?, ?, ?, 'started', NULL, ?, NULL)
    ON CONFLICT (thread_id, tool_call_id) DO UPDATE SET
      tool = excluded.tool, status = 'started', result = NULL, started_at = excluded.started_at, finished_at = NULL
  `);
  const markFinished = db.prepare<[string, string, string, string]>(
    "UPDATE tool_journal SET status = 'finished', result = ?, finished_at = ? WHERE thread_id = ? AND tool_call_id = ?",
  );
  const deleteThread = db.prepare<[string]>('DELETE FROM tool_journal WHERE thread_id = ?');

  return {
    lookup(threadId, toolCallId) {
      const row = select.get(threadId, toolCallId);
      if (!row) return undefined;
      if (row.status === 'started' || row.result === null) return { status: 'started', tool: row.tool, startedAt: row.started_at };
      return { status: 'finished', tool: row.tool, startedAt: row.started_at, result: JSON.parse(row.result) as ToolResult };
    },
    start(threadId, toolCallId, tool) {
      upsertStarted.run(threadId, toolCallId, tool, now().toISOString());
    },
    finish(threadId, toolCallId, result) {
      markFinished.run(JSON.stringify(result), now().toISOString(), threadId, toolCallId);
    },
    deleteThread(threadId) {
      deleteThread.run(threadId);
    },
  };
}
