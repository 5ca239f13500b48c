/**
 * The span export thread (see export-thread.ts): builds the configured sinks from `workerData` and feeds them the
 * span records the recording thread delivers. Everything that serialises, masks, stores or sends a span happens here.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { pino } from 'pino';
import { openConnection, type SqliteDatabase } from '../db.js';
import { TrellisError } from '../errors.js';
import { createRedactor } from './redactor.js';
import type { SinkStats } from './sink-queue.js';
import { createSinks, type SinkName, type TracingSettings } from './sinks.js';
import { SpanFinisher } from './span-finisher.js';
import type { SpanRecord } from './span-record.js';
import { SpanRelay } from './span-relay.js';

export interface ExportWorkerData {
  readonly settings: TracingSettings;
  /** The database file of the local store; undefined leaves the local sink out. */
  readonly dbFile: string | undefined;
  readonly version: string;
  /** The recording thread's log level: the export thread's warnings are logged there. */
  readonly logLevel: string;
}

export type SinkStatsBySink = Partial<Record<SinkName, SinkStats>>;

/** Recording thread to export thread. */
export type ToExportWorker =
  | { readonly type: 'spans'; readonly records: readonly SpanRecord[] }
  /** Export what has arrived, to every sink or the one named; answered with `done`. */
  | { readonly type: 'flush'; readonly id: number; readonly sink?: SinkName }
  /** Flush and close every sink; answered with `done`, after which the thread may be ended. */
  | { readonly type: 'shutdown'; readonly id: number };

/** Export thread to recording thread. */
export type FromExportWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly code: string; readonly message: string }
  | { readonly type: 'done'; readonly id: number; readonly stats: SinkStatsBySink }
  /** The sinks' counters, sent when they change (at most every STATS_INTERVAL_MS). */
  | { readonly type: 'stats'; readonly stats: SinkStatsBySink }
  /** One line of pino JSON, for the recording thread's logger. */
  | { readonly type: 'log'; readonly line: string };

const STATS_INTERVAL_MS = 250;

/** Starts serving; the worker bootstrap calls it once the module is loaded. */
export async function serveSpanExport(): Promise<void> {
  const port = parentPort;
  if (!port) throw new TrellisError('INTERNAL', 'the span export thread was started outside a worker thread');
  const data = workerData as ExportWorkerData;
  const send = (message: FromExportWorker) => port.postMessage(message);
  const logger = pino({ level: data.logLevel }, { write: (line: string) => send({ type: 'log', line }) });
  let db: SqliteDatabase | undefined;
  let sinks: Awaited<ReturnType<typeof createSinks>>;
  try {
    db = data.dbFile === undefined ? undefined : openConnection(data.dbFile);
    const finisher = new SpanFinisher(createRedactor(data.settings.redact));
    sinks = await createSinks({ settings: data.settings, db, logger, finisher, version: data.version });
    const relay = new SpanRelay({
      processors: sinks.map((sink) => sink.processor),
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'trellis', [ATTR_SERVICE_VERSION]: data.version }),
      scope: { name: 'trellis', version: data.version },
      finisher,
    });
    serve(port, relay, sinks, send, () => db?.close());
  } catch (error) {
    db?.close();
    const code = TrellisError.isInstance(error) ? error.code : 'INTERNAL';
    send({ type: 'failed', code, message: error instanceof Error ? error.message : String(error) });
    return;
  }
  send({ type: 'ready' });
}

function serve(
  port: MessagePort,
  relay: SpanRelay,
  sinks: Awaited<ReturnType<typeof createSinks>>,
  send: (message: FromExportWorker) => void,
  close: () => void,
): void {
  const stats = (): SinkStatsBySink => Object.fromEntries(sinks.map((sink) => [sink.name, sink.queue.stats()]));
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  // Counters change as batches leave; the recording thread reads the latest, a little late at most.
  const reportStats = () => {
    timer = undefined;
    const now = stats();
    const text = JSON.stringify(now);
    if (text !== last) send({ type: 'stats', stats: now });
    last = text;
  };
  const scheduleStats = () => {
    timer ??= setTimeout(reportStats, STATS_INTERVAL_MS);
  };
  const flush = async (only?: SinkName) => {
    const chosen = only === undefined ? sinks : sinks.filter((sink) => sink.name === only);
    await Promise.all(chosen.map((sink) => Promise.all([sink.processor.forceFlush(), sink.queue.forceFlush()]).catch(() => undefined)));
  };
  port.on('message', (message: ToExportWorker) => {
    if (message.type === 'spans') {
      relay.apply(message.records);
      scheduleStats();
      return;
    }
    const done = () => {
      last = JSON.stringify(stats());
      send({ type: 'done', id: message.id, stats: stats() });
    };
    if (message.type === 'flush') {
      void flush(message.sink).then(done);
      return;
    }
    void Promise.all(sinks.map((sink) => sink.processor.shutdown().catch(() => undefined)))
      .then(() => {
        clearTimeout(timer);
        close();
      })
      .then(done);
  });
}
