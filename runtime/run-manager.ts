import { TrellisError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { untracedRun, type RunTrace, type Tracing } from '../core/tracing/tracing.js';
import { taskPathOf, type RunEvent } from '../graphs/run-events.js';
import { RunLog, type RunLogEntry } from './run-log.js';
import { type MultitaskStrategy, type RunRecord, type RunRecords, type RunStatus } from './run-records.js';
import type { RunRequest, RunService } from './runs.js';
import type { Thread, Threads } from './threads.js';

export interface StartRunRequest extends Omit<RunRequest, 'tenantId' | 'signal' | 'runId' | 'onChunk' | 'thread' | 'traceConfigurable'> {
  /** What to do when the thread already has an active run; `reject` unless set. */
  readonly multitaskStrategy?: MultitaskStrategy;
  /**
   * Run on a thread of the run's own that lives in memory (no `threadId`): a stateless request's, which nobody
   * returns to. Nothing of it is stored (thread, run record, checkpoints, tool journal) unless the run stops for an
   * approval and this says `keep-if-interrupted`: then all of it is, before the run ends, so it can be resumed.
   * Otherwise it is gone when the run ends, and the run cannot be looked up by id afterwards (it can be joined while
   * it lasts, and its log replayed for a while, like any run's).
   */
  readonly temporaryThread?: 'discard' | 'keep-if-interrupted';
  /** The request as the client sent it, stored with the run. */
  readonly clientRequest?: Record<string, unknown>;
}

/** A run being watched: its record when attached, every entry of its stream, and its end. */
export interface RunHandle {
  readonly run: RunRecord;
  /** Entries after `afterSeq`, live until the run ends. Empty for a run whose log has expired. */
  entries(afterSeq?: number, signal?: AbortSignal): AsyncGenerator<RunLogEntry>;
  /** Settles with the final record once the run has finished (at once for a finished run). */
  readonly done: Promise<RunRecord>;
}

export interface RunManagerOptions {
  readonly runs: RunService;
  readonly records: RunRecords;
  readonly threads: Threads;
  readonly logger: Logger;
  readonly generateId: () => string;
  /** How long a finished run's log stays in memory for late joins and reconnects. */
  readonly retentionMs: number;
  /** How many finished runs' logs are kept at most; the oldest go first, so a busy server's memory stays bounded. */
  readonly retentionCount: number;
  /** Each run is one trace: its root span starts and ends here, and the graph reports its steps into it. */
  readonly tracing: Tracing;
  /** Erases what else a deleted thread left behind (its trace spans and feedback), after its runs have stopped. */
  readonly eraseThreadTraces?: (tenantId: string, threadId: string) => Promise<void>;
}

export interface DeleteThreadOptions {
  /**
   * Keep the thread's traces and feedback (retention removes them later). For threads a request made for itself,
   * such as a stateless run's: the conversation was never the user's to keep, but ops still review its trace.
   */
  readonly keepTraces?: boolean;
}

/** Hears about every run's life (metrics count runs and streamed tokens); called synchronously, so it must be cheap. */
export interface RunObserver {
  runStarted?(run: RunRecord): void;
  runEvent?(run: RunRecord, event: RunEvent): void;
  runFinished?(run: RunRecord): void;
}

interface ActiveRun {
  record: RunRecord;
  readonly log: RunLog;
  readonly abort: AbortController;
  readonly done: Promise<RunRecord>;
  cancelStatus?: RunStatus;
  /** Set for a run on a temporary thread: the thread, which no table holds, and whether an interrupt keeps it. */
  readonly temporary?: { readonly thread: Thread; readonly keepIfInterrupted: boolean };
}

/**
 * Runs in the background, so that clients can start one, disconnect, and join or stream it later from any
 * transport (REST, SSE, WebSocket). Each run appends to its own log; its record in SQLite tracks its status. One run
 * is active per thread at a time; the multitask strategy says what a second one does.
 */
export class RunManager {
  private readonly active = new Map<string, ActiveRun>();
  /** The newest run per thread, active or queued: what a new run must wait for or cancel. */
  private readonly threadTail = new Map<string, ActiveRun>();
  private readonly finished = new Map<string, { log: RunLog; record: RunRecord; timer: NodeJS.Timeout }>();
  private draining = false;
  private readonly observers = new Set<RunObserver>();

  constructor(private readonly options: RunManagerOptions) {
    const failed = options.records.failUnfinished();
    if (failed > 0) options.logger.warn({ runs: failed }, 'runs left unfinished by the previous process were marked failed');
  }

  /** Adds an observer of every run from now on; returns the function that removes it. */
  observe(observer: RunObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Runs that are running or queued: the server's queue depth. */
  get activeCount(): number {
    return this.active.size;
  }

  /**
   * Starts a run and returns as soon as it is accepted: the thread is checked (or created) and the record written.
   * Failures of the run itself (an unknown target, a model error) end its stream with `run-error`.
   */
  start(tenantId: string, request: StartRunRequest): RunHandle {
    if (this.draining) throw new TrellisError('SERVER_SHUTTING_DOWN', 'the server is shutting down and takes no new runs');
    const { threads, records } = this.options;
    if (request.temporaryThread && request.threadId) {
      throw new TrellisError('API_BODY_INVALID', 'a run on a temporary thread cannot name a thread; leave out thread_id');
    }
    const existing = request.threadId ? threads.get(tenantId, request.threadId) : undefined;
    const target = request.target ?? (existing?.target || 'rag');
    const metadata = { ...request.metadata, ...(request.kb ? { kb: request.kb } : {}) };
    const temporary = request.temporaryThread
      ? { thread: threads.draft(tenantId, target, metadata), keepIfInterrupted: request.temporaryThread === 'keep-if-interrupted' }
      : undefined;
    const thread = existing ?? temporary?.thread ?? threads.create(tenantId, target, metadata);
    const strategy = request.multitaskStrategy ?? 'reject';
    const previous = this.threadTail.get(thread.id);
    if (previous && strategy === 'reject') {
      throw new TrellisError('THREAD_BUSY', `thread ${thread.id} already has an active run (${previous.record.id})`, {
        details: { threadId: thread.id, runId: previous.record.id },
      });
    }
    const newRecord = {
      id: this.options.generateId(),
      tenantId,
      threadId: thread.id,
      target,
      status: 'pending' as const,
      multitaskStrategy: strategy,
      metadata: request.metadata ?? {},
      request: request.clientRequest ?? {},
    };
    const record = temporary ? records.draft(newRecord) : records.insert(newRecord);
    if (temporary) this.options.runs.holdThread(thread.id);
    this.notify((observer) => observer.runStarted?.(record));
    const log = new RunLog();
    const abort = new AbortController();
    const entry: ActiveRun = { record, log, abort, done: undefined as unknown as Promise<RunRecord>, temporary };
    if (previous && (strategy === 'interrupt' || strategy === 'rollback')) this.cancelActive(previous, 'cancelled');
    (entry as { done: Promise<RunRecord> }).done = (async () => {
      await previous?.done.catch(() => undefined);
      return this.execute(entry, { ...request, target, tenantId, threadId: thread.id, thread: temporary?.thread });
    })();
    this.active.set(record.id, entry);
    this.threadTail.set(thread.id, entry);
    return this.handleOf(entry);
  }

  /**
   * Starts a run and yields its events until it ends, for callers in this process (the CLI) that want the run
   * recorded and traced like any API run. Aborting `signal` cancels the run, and the generator then throws
   * RUN_CANCELLED.
   */
  async *stream(tenantId: string, request: StartRunRequest, signal?: AbortSignal): AsyncGenerator<RunEvent> {
    signal?.throwIfAborted();
    const handle = this.start(tenantId, request);
    const cancel = () => void this.cancel(tenantId, handle.run.id);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const entry of handle.entries()) {
        if (entry.kind === 'event') yield entry.event;
      }
      await handle.done;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    if (signal?.aborted) throw new TrellisError('RUN_CANCELLED', `run ${handle.run.id} was cancelled`);
  }

  get(tenantId: string, runId: string): RunRecord {
    const active = this.active.get(runId);
    if (active && active.record.tenantId === tenantId) return active.record;
    // A recently finished run answers from memory: a temporary thread's run has no record to read.
    const kept = this.finished.get(runId);
    if (kept && kept.record.tenantId === tenantId) return kept.record;
    return this.options.records.get(tenantId, runId);
  }

  list(tenantId: string, threadId: string, options: { limit?: number; offset?: number; statuses?: readonly RunStatus[] } = {}): readonly RunRecord[] {
    this.options.threads.get(tenantId, threadId);
    return this.options.records.listByThread(tenantId, threadId, { limit: options.limit ?? 10, offset: options.offset ?? 0, statuses: options.statuses });
  }

  /** Follows a run: live, recently finished (its log replays), or older (its record alone). */
  attach(tenantId: string, runId: string): RunHandle {
    const active = this.active.get(runId);
    if (active && active.record.tenantId === tenantId) return this.handleOf(active);
    const kept = this.finished.get(runId);
    const record = this.get(tenantId, runId);
    const log = kept?.log ?? closedLog();
    return { run: record, entries: (after, signal) => log.read(after, signal), done: Promise.resolve(record) };
  }

  /** Active runs of a thread (at most one running; others queued). */
  activeOnThread(threadId: string): readonly RunRecord[] {
    return [...this.active.values()].filter((run) => run.record.threadId === threadId).map((run) => run.record);
  }

  /** Cancels a run that is still active; a finished run is returned unchanged. */
  async cancel(tenantId: string, runId: string): Promise<RunRecord> {
    const active = this.active.get(runId);
    if (!active || active.record.tenantId !== tenantId) return this.options.records.get(tenantId, runId);
    this.cancelActive(active, 'cancelled');
    return active.done;
  }

  /**
   * Deletes a thread with its runs, checkpoints, trace spans and feedback (unless `keepTraces`), cancelling what is
   * active on it first.
   */
  async deleteThread(tenantId: string, threadId: string, options: DeleteThreadOptions = {}): Promise<void> {
    const thread = this.options.threads.get(tenantId, threadId);
    const running = [...this.active.values()].filter((run) => run.record.threadId === threadId);
    for (const run of running) this.cancelActive(run, 'cancelled');
    await Promise.all(running.map((run) => run.done.catch(() => undefined)));
    await this.options.runs.deleteThreadState(threadId);
    this.options.records.deleteByThread(threadId);
    for (const [runId, kept] of this.finished) {
      if (kept.record.threadId !== threadId) continue;
      clearTimeout(kept.timer);
      this.finished.delete(runId);
    }
    this.options.threads.delete(thread);
    if (!options.keepTraces) await this.options.eraseThreadTraces?.(tenantId, threadId);
  }

  /**
   * Shutdown: no new runs; active ones get `graceMs` to finish, then are cancelled. LangGraph has checkpointed every
   * completed step, so a cancelled run's thread continues from there when run again.
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const pending = [...this.active.values()];
    if (pending.length === 0) return;
    this.options.logger.info({ runs: pending.length, graceMs }, 'waiting for active runs to finish');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(pending.map((run) => run.done.catch(() => undefined))), grace]);
    clearTimeout(timer);
    for (const run of this.active.values()) this.cancelActive(run, 'cancelled');
    await Promise.all([...this.active.values()].map((run) => run.done.catch(() => undefined)));
    for (const kept of this.finished.values()) clearTimeout(kept.timer);
    this.finished.clear();
  }

  private handleOf(entry: ActiveRun): RunHandle {
    return { run: entry.record, entries: (after, signal) => entry.log.read(after, signal), done: entry.done };
  }

  private cancelActive(entry: ActiveRun, status: RunStatus): void {
    entry.cancelStatus ??= status;
    entry.abort.abort(new TrellisError('RUN_CANCELLED', `run ${entry.record.id} was cancelled`));
  }

  private async execute(entry: ActiveRun, request: RunRequest & { tenantId: string; threadId: string }): Promise<RunRecord> {
    const { runs, logger } = this.options;
    let status: RunStatus = 'failed';
    let error: RunRecord['error'] = null;
    let trace: RunTrace | undefined;
    let answer: string | undefined;
    // A temporary thread's run ends in the log only once its thread is stored or forgotten (see below).
    let end: Extract<RunEvent, { type: 'run-end' }> | undefined;
    try {
      if (entry.cancelStatus) {
        status = entry.cancelStatus;
        return entry.record;
      }
      trace = this.startTrace(entry.record, request);
      this.changeStatus(entry, { status: 'running', traceId: trace.traceId });
      const recorded = request.extraStreamModes;
      const stream = runs.stream({
        ...request,
        runId: entry.record.id,
        signal: entry.abort.signal,
        traceConfigurable: trace.configurable,
        // Only the modes asked for: the run also streams the modes its events come from, which nobody asked to keep.
        onChunk: recorded?.length
          ? (mode, namespace, payload) => {
              if (recorded.includes(mode)) entry.log.append({ kind: 'chunk', mode, namespace, payload });
            }
          : undefined,
      });
      for await (const event of stream) {
        ({ status, error } = outcomeOf(event, status, error));
        if (event.type === 'run-end') {
          answer = event.answer;
          if (entry.temporary) {
            end = event;
            continue;
          }
        }
        this.publish(entry, event);
        if (event.type === 'node-start') trace.nodeStarted(taskPathOf(event));
        else if (event.type === 'node-end') trace.nodeEnded(taskPathOf(event), event);
      }
      if (entry.cancelStatus) status = entry.cancelStatus;
    } catch (failure) {
      const trellis = TrellisError.isInstance(failure) ? failure : new TrellisError('INTERNAL', String(failure), { cause: failure });
      if (trellis.status >= 500) logger.error({ err: failure, runId: entry.record.id }, 'run failed');
      status = entry.cancelStatus ?? 'failed';
      error = entry.cancelStatus ? null : { code: trellis.code, message: trellis.message, hint: trellis.hint };
      if (!entry.cancelStatus) entry.log.append({ kind: 'event', event: { type: 'run-error', runId: entry.record.id, ...error! } });
    } finally {
      if (entry.cancelStatus && status === 'failed') status = entry.cancelStatus;
      // Whoever reads the run's end may resume it at once: a temporary thread is stored before the end is published.
      const stored = entry.temporary ? await this.settleTemporaryThread(entry, status, trace?.traceId) : undefined;
      if (stored && !stored.ok) ({ status, error } = { status: 'failed', error: stored.error });
      this.changeStatus(entry, { status, error: status === 'failed' ? error : null });
      if (end && status !== 'failed') this.publish(entry, end);
      else if (stored && !stored.ok) this.publish(entry, { type: 'run-error', runId: entry.record.id, ...stored.error });
      trace?.end({ status, output: answer, error });
      entry.log.close();
      this.retire(entry);
      this.notify((observer) => observer.runFinished?.(entry.record));
    }
    return entry.record;
  }

  /** Appends a run event to the run's log and tells the observers. */
  private publish(entry: ActiveRun, event: RunEvent): void {
    entry.log.append({ kind: 'event', event });
    this.notify((observer) => observer.runEvent?.(entry.record, event));
  }

  /** A new status on the run's record: stored, unless the run is on a temporary thread. */
  private changeStatus(entry: ActiveRun, change: { status: RunStatus; error?: RunRecord['error']; traceId?: string }): void {
    const { records } = this.options;
    entry.record = entry.temporary ? records.changed(entry.record, change) : records.update(entry.record, change);
  }

  /**
   * A temporary thread after its run: the thread, its state and the run's record are stored when the run waits for
   * an approval and the caller wants that kept (`ok`); forgotten otherwise (undefined). A failure to store fails the
   * run: it could not be resumed.
   */
  private async settleTemporaryThread(
    entry: ActiveRun,
    status: RunStatus,
    traceId: string | undefined,
  ): Promise<{ ok: true } | { ok: false; error: NonNullable<RunRecord['error']> } | undefined> {
    const { thread, keepIfInterrupted } = entry.temporary!;
    const { runs, threads, records, logger } = this.options;
    if (!(keepIfInterrupted && status === 'interrupted')) {
      runs.discardThread(thread.id);
      return undefined;
    }
    try {
      threads.insert(thread);
      await runs.keepThread(thread.id);
      records.store(records.changed(entry.record, { status }), traceId);
      return { ok: true };
    } catch (failure) {
      runs.discardThread(thread.id);
      await runs.deleteThreadState(thread.id).catch(() => undefined);
      try {
        threads.delete(thread);
      } catch {
        // Nothing was stored, or the store is what failed.
      }
      logger.error({ err: failure, runId: entry.record.id }, 'a temporary thread waiting for an approval could not be stored');
      const trellis = TrellisError.isInstance(failure)
        ? failure
        : new TrellisError('INTERNAL', `the run waits for an approval, but its thread could not be stored: ${String(failure)}`, { cause: failure });
      return { ok: false, error: { code: trellis.code, message: trellis.message, hint: trellis.hint } };
    }
  }

  /** The run's root span (its id goes on the record); tracing never fails a run. */
  private startTrace(record: RunRecord, request: RunRequest): RunTrace {
    const { tracing, logger } = this.options;
    try {
      const user = request.metadata?.user;
      const trace = tracing.startRun({
        runId: record.id,
        tenantId: record.tenantId,
        threadId: record.threadId,
        target: record.target,
        userId: typeof user === 'string' && user !== '' ? user : undefined,
        input: inputOf(request),
      });
      return trace;
    } catch (failure) {
      logger.warn({ err: failure, runId: record.id }, 'run trace could not start; the run goes on untraced');
      return untracedRun;
    }
  }

  // An observer's failure is its own: it must never fail or stall the run it watches.
  private notify(call: (observer: RunObserver) => void): void {
    for (const observer of this.observers) {
      try {
        call(observer);
      } catch (failure) {
        this.options.logger.error({ err: failure }, 'run observer failed');
      }
    }
  }

  private retire(entry: ActiveRun): void {
    this.active.delete(entry.record.id);
    if (this.threadTail.get(entry.record.threadId) === entry) this.threadTail.delete(entry.record.threadId);
    if (this.draining || this.options.retentionMs <= 0) return;
    const timer = setTimeout(() => this.finished.delete(entry.record.id), this.options.retentionMs);
    timer.unref();
    this.finished.set(entry.record.id, { log: entry.log, record: entry.record, timer });
    // Maps iterate in insertion order: the first key is the run that finished longest ago.
    while (this.finished.size > this.options.retentionCount) {
      const [oldestId, oldest] = this.finished.entries().next().value!;
      clearTimeout(oldest.timer);
      this.finished.delete(oldestId);
    }
  }
}

function outcomeOf(event: RunEvent, status: RunStatus, error: RunRecord['error']): { status: RunStatus; error: RunRecord['error'] } {
  if (event.type === 'run-end') return { status: event.status === 'interrupted' ? 'interrupted' : 'completed', error: null };
  if (event.type === 'run-error') {
    const cancelled = event.code === 'RUN_CANCELLED';
    return { status: cancelled ? 'cancelled' : 'failed', error: cancelled ? null : { code: event.code, message: event.message, hint: event.hint } };
  }
  return { status, error };
}

/** What the user asked: the message, the newest of the messages sent, or the answer to an approval request. */
function inputOf(request: RunRequest): string | undefined {
  if (request.message !== undefined) return request.message;
  const last = request.messages?.at(-1);
  if (last) return last.text;
  return request.resume === undefined ? undefined : JSON.stringify(request.resume);
}

function closedLog(): RunLog {
  const log = new RunLog();
  log.close();
  return log;
}
