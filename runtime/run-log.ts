import type { RunEvent } from '../graphs/run-events.js';

/**
 * One numbered entry of a run's stream: a Trellis run event, or a raw LangGraph stream chunk (recorded only for
 * the stream modes a client asked for, e.g. by the LangGraph Agent Protocol). `seq` counts from 1 within the run;
 * a client that reconnects says the last `seq` it saw and gets everything after it.
 */
export type RunLogEntry =
  | { readonly seq: number; readonly kind: 'event'; readonly event: RunEvent }
  | { readonly seq: number; readonly kind: 'chunk'; readonly mode: string; readonly namespace: readonly string[]; readonly payload: unknown };

type NewEntry = { kind: 'event'; event: RunEvent } | { kind: 'chunk'; mode: string; namespace: readonly string[]; payload: unknown };

/**
 * A run's entries in memory, appended by the run and read by any number of subscribers, each from its own
 * position. Readers that join late, or reconnect, replay what they missed, then follow live entries; nothing is
 * lost or repeated because every read is by sequence number.
 */
export class RunLog {
  private readonly entries: RunLogEntry[] = [];
  private closed = false;
  private waiters: (() => void)[] = [];

  get lastSeq(): number {
    return this.entries.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  append(entry: NewEntry): RunLogEntry {
    if (this.closed) throw new Error('run log is closed');
    const numbered = { seq: this.entries.length + 1, ...entry } as RunLogEntry;
    this.entries.push(numbered);
    this.wake();
    return numbered;
  }

  /** No more entries will come: every reader finishes once it has read what is there. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  /** The entries after `afterSeq` (0 for all), then live ones until the log closes or `signal` aborts. */
  async *read(afterSeq = 0, signal?: AbortSignal): AsyncGenerator<RunLogEntry> {
    let next = Math.max(0, afterSeq);
    while (!signal?.aborted) {
      if (next < this.entries.length) {
        yield this.entries[next]!;
        next += 1;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
