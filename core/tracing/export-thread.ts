import type { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import { startTypeScriptWorker } from '../typescript-worker.js';
import type { ExportWorkerData, FromExportWorker, SinkStatsBySink, ToExportWorker } from './export-worker.js';
import type { SinkStats } from './sink-queue.js';
import type { SinkName, TracingSettings } from './sinks.js';
import type { SpanRecord } from './span-record.js';

export interface SpanExportThreadOptions {
  readonly settings: TracingSettings;
  /** The sinks the settings turn on (configuredSinks): their counters exist from the start. */
  readonly sinks: readonly SinkName[];
  readonly dbFile: string | undefined;
  readonly version: string;
  readonly logger: Logger;
}

/** The recording thread's handle on the export thread. */
export interface SpanExportThread {
  /** Hands records over; never throws and never waits. */
  deliver(records: readonly SpanRecord[]): void;
  /** Counts spans that never reached the export thread (the recorder was full), as dropped by every sink. */
  countDropped(count: number): void;
  /** Resolves once what was delivered before has been exported (or dropped) by every sink, or the one named. */
  flush(sink?: SinkName): Promise<void>;
  /** Each sink's counters, as the export thread last reported them, with the spans lost on the way there. */
  stats(): Partial<Record<SinkName, SinkStats>>;
  /** Exports what is left and ends the thread, waiting `timeoutMs` at most. Idempotent. */
  shutdown(timeoutMs: number): Promise<'done' | 'late'>;
}

/** A thread that failed is started again on the next delivery, but not more often than this. */
const RESTART_AFTER_MS = 60_000;

/**
 * Starts the export thread when the first spans arrive, not before: a process that traces nothing (most CLI
 * commands) never pays for it. A thread that fails or exits is reported once; the spans meanwhile are dropped and
 * counted, and the next delivery after a minute starts a new one.
 */
export function createSpanExportThread(options: SpanExportThreadOptions): SpanExportThread {
  const { logger } = options;
  const reported: SinkStatsBySink = Object.fromEntries(options.sinks.map((name) => [name, { queued: 0, exported: 0, dropped: 0 }]));
  let lost = 0;
  /** Spans delivered and not yet counted by the export thread. */
  let inFlight = 0;
  let worker: Worker | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;
  let nextId = 0;
  /** Requests sent and not answered, with the spans in flight when each was sent (its answer has counted them). */
  const waiting = new Map<number, { readonly resolve: () => void; readonly inFlight: number }>();
  let stopping: Promise<'done' | 'late'> | undefined;

  function start(): Worker | undefined {
    if (worker) return worker;
    if (stopping || Date.now() - failedAt < RESTART_AFTER_MS) return undefined;
    const data: ExportWorkerData = { settings: options.settings, dbFile: options.dbFile, version: options.version, logLevel: logger.level };
    const started = startTypeScriptWorker(new URL('./export-worker.ts', import.meta.url), 'serveSpanExport', data, 'trellis-span-export');
    worker = started;
    started.on('message', (message: FromExportWorker) => {
      if (message.type === 'stats') Object.assign(reported, message.stats);
      else if (message.type === 'done') {
        Object.assign(reported, message.stats);
        const answered = waiting.get(message.id);
        waiting.delete(message.id);
        inFlight = Math.max(0, inFlight - (answered?.inFlight ?? 0));
        answered?.resolve();
      } else if (message.type === 'log') relayLog(logger, message.line);
      else if (message.type === 'failed') {
        logger.error({ code: message.code }, `the span export thread could not start: ${message.message}; spans are dropped`);
        void started.terminate();
      }
    });
    started.on('error', (error) => logger.error({ err: error }, 'the span export thread failed; spans are dropped until it is started again'));
    started.on('exit', () => {
      if (worker !== started) return;
      worker = undefined;
      if (!stopping) failedAt = Date.now();
      lost += inFlight;
      inFlight = 0;
      for (const { resolve } of waiting.values()) resolve();
      waiting.clear();
    });
    // An idle export thread does not keep the process alive; a delivery or a flush holds it until answered.
    started.unref();
    return started;
  }

  function post(message: ToExportWorker): boolean {
    const target = start();
    if (!target) return false;
    target.postMessage(message);
    return true;
  }

  /**
   * Hands records over in one message; when one of them holds a value that cannot be cloned (a function in content,
   * say), each goes on its own and only those that cannot are dropped, with a warning. Returns the records that went.
   */
  function postRecords(records: readonly SpanRecord[]): readonly SpanRecord[] {
    try {
      return post({ type: 'spans', records }) ? records : [];
    } catch {
      return records.filter((record) => {
        try {
          return post({ type: 'spans', records: [record] });
        } catch (error) {
          logger.warn({ err: error, span: record.name }, 'a span could not be handed to the export thread and was dropped');
          return false;
        }
      });
    }
  }

  /** Sends a message the export thread answers with `done`; the thread keeps the process alive until it does. */
  function request(message: (id: number) => ToExportWorker): Promise<void> {
    const id = nextId++;
    return new Promise<void>((resolve) => {
      waiting.set(id, { resolve, inFlight });
      if (post(message(id))) worker?.ref();
      else {
        waiting.delete(id);
        resolve();
      }
    }).finally(() => {
      if (waiting.size === 0) worker?.unref();
    });
  }

  return {
    deliver(records) {
      if (records.length === 0) return;
      // Spans are counted once they end: an open span sent now is counted with its end.
      const ended = (list: readonly SpanRecord[]) => list.filter((record) => record.endTime !== undefined).length;
      const sent = ended(postRecords(records));
      inFlight += sent;
      lost += ended(records) - sent;
    },
    countDropped(count) {
      lost += count;
    },
    flush(sink) {
      if (!worker && lost === 0 && inFlight === 0 && stopping === undefined) return Promise.resolve();
      return request((id) => ({ type: 'flush', id, ...(sink ? { sink } : {}) }));
    },
    stats() {
      return Object.fromEntries(
        Object.entries(reported).map(([name, stats]) => [name, { queued: stats.queued + inFlight, exported: stats.exported, dropped: stats.dropped + lost }]),
      );
    },
    shutdown(timeoutMs) {
      stopping ??= (async () => {
        if (!worker) return 'done';
        const running = worker;
        let deadline: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          deadline = setTimeout(() => resolve('late'), timeoutMs);
        });
        const outcome = await Promise.race([request((id) => ({ type: 'shutdown', id })).then(() => 'done' as const), late]);
        clearTimeout(deadline);
        await running.terminate();
        return outcome;
      })();
      return stopping;
    },
  };
}

/** A pino line from the export thread, logged by this thread's logger at its level. */
function relayLog(logger: Logger, line: string): void {
  try {
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const name = typeof level === 'number' ? logger.levels.labels[level] : undefined;
    const log = name && name in logger ? (logger[name as 'warn'] as Logger['warn']).bind(logger) : logger.warn.bind(logger);
    log(fields, typeof msg === 'string' ? msg : 'span export');
  } catch {
    logger.warn({ line }, 'span export');
  }
}
