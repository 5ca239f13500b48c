import type { ToolJournal, ToolJournalEntry } from './tool-journal.js';

/**
 * A tool journal that keeps some threads' calls in memory: those of threads held in memory by a
 * TemporaryThreadsSaver (core/temporary-threads-saver.ts), which a crash would lose anyway, so that their calls cost
 * no writes. `keep` writes a held thread's calls to the durable journal; `discard` forgets them.
 */
export interface TemporaryToolJournal extends ToolJournal {
  hold(threadId: string): void;
  keep(threadId: string): void;
  discard(threadId: string): void;
}

export function withTemporaryThreads(durable: ToolJournal): TemporaryToolJournal {
  const held = new Map<string, Map<string, ToolJournalEntry>>();
  return {
    lookup(threadId, toolCallId) {
      const calls = held.get(threadId);
      return calls ? calls.get(toolCallId) : durable.lookup(threadId, toolCallId);
    },
    start(threadId, toolCallId, tool) {
      const calls = held.get(threadId);
      if (calls) calls.set(toolCallId, { status: 'started', tool, startedAt: new Date().toISOString() });
      else durable.start(threadId, toolCallId, tool);
    },
    finish(threadId, toolCallId, result) {
      const calls = held.get(threadId);
      if (!calls) return durable.finish(threadId, toolCallId, result);
      const started = calls.get(toolCallId);
      if (started) calls.set(toolCallId, { status: 'finished', tool: started.tool, startedAt: started.startedAt, result });
    },
    deleteThread(threadId) {
      if (!held.delete(threadId)) durable.deleteThread(threadId);
    },
    hold(threadId) {
      if (!held.has(threadId)) held.set(threadId, new Map());
    },
    keep(threadId) {
      const calls = held.get(threadId);
      held.delete(threadId);
      for (const [toolCallId, entry] of calls ?? []) {
        durable.start(threadId, toolCallId, entry.tool);
        if (entry.status === 'finished') durable.finish(threadId, toolCallId, entry.result);
      }
    },
    discard(threadId) {
      held.delete(threadId);
    },
  };
}
