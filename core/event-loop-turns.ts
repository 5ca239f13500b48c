/**
 * Keeps CPU-bound run work from holding the event loop for long stretches.
 *
 * A run continues in microtasks whenever nothing it waits for is real I/O: SQLite is synchronous, and a local or
 * cached model answers at once. Under load, one turn of the event loop then carries the rest of every run whose
 * model answered in that turn: 64 threaded runs held the loop for 200-550 ms a turn (bench:api). Meanwhile no
 * connection is accepted, no request read and no health check answered, so those waited seconds at the 99th
 * percentile.
 *
 * `yieldTurn()` at a point a run passes often (the agent node, around its model call) continues at once while the
 * current turn is younger than the budget and nobody waits. Otherwise the caller waits, in arrival order, for a
 * later turn: each turn resumes as many waiters as fit the budget, measured by what the last ones took, after the
 * event loop has polled for I/O. The work and the throughput stay the same; turns stay short.
 */
export class EventLoopTurns {
  private turnStartedAt: number | undefined;
  private readonly waiting: (() => void)[] = [];
  private resumeScheduled = false;
  /** What one waiter's work until its next yield has cost, on average (an exponential moving average). */
  private msPerWaiter = 1;

  constructor(private readonly budgetMs: number) {}

  /** Resolves in this turn of the event loop while it is young and nobody waits, else in a later turn. */
  yieldTurn(): Promise<void> | undefined {
    const now = performance.now();
    if (this.waiting.length === 0) {
      if (this.turnStartedAt === undefined) {
        this.beginTurn(now);
        return undefined;
      }
      if (now - this.turnStartedAt < this.budgetMs) return undefined;
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.scheduleResume();
    });
  }

  // The turn ends at the next check phase; whoever yields after that starts a new one.
  private beginTurn(now: number): void {
    this.turnStartedAt = now;
    setImmediate(() => {
      this.turnStartedAt = undefined;
    });
  }

  // Two immediates queued together run back to back in the next turn's check phase, after its I/O poll, and the
  // microtasks of the first (the resumed waiters' work) run before the second: which times them.
  private scheduleResume(): void {
    if (this.resumeScheduled) return;
    this.resumeScheduled = true;
    let startedAt = 0;
    let resumed = 0;
    setImmediate(() => {
      this.resumeScheduled = false;
      startedAt = performance.now();
      this.beginTurn(startedAt);
      const batch = this.waiting.splice(0, Math.max(1, Math.floor(this.budgetMs / this.msPerWaiter)));
      resumed = batch.length;
      for (const resume of batch) resume();
    });
    setImmediate(() => {
      if (resumed > 0) this.msPerWaiter = 0.7 * this.msPerWaiter + 0.3 * Math.max(0.01, (performance.now() - startedAt) / resumed);
      if (this.waiting.length > 0) this.scheduleResume();
    });
  }
}

/**
 * The process has one event loop, so one budget. 10 ms keeps a turn far under a health probe's timeout, and costs
 * a run nothing while the server is not saturated: a yield in a young turn continues synchronously.
 */
export const eventLoopTurns = new EventLoopTurns(10);
