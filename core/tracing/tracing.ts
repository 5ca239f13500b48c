import type { BaseLanguageModel } from '@langchain/core/language_models/base';
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { SqliteDatabase } from '../db.js';
import type { Logger } from '../logger.js';
import { ATTR } from './attributes.js';
import { createSpanExportThread } from './export-thread.js';
import { disabledJobTrace, startJobTrace, type JobTrace, type JobTraceStart } from './job-trace.js';
import { ModelCallTracer } from './model-call-tracer.js';
import { createRedactor } from './redactor.js';
import { RunSpans, type NodeOutcome } from './run-spans.js';
import type { SinkStats } from './sink-queue.js';
import { configuredSinks, type SinkName, type TracingSettings } from './sinks.js';
import { boundedText } from './span-content.js';
import { SpanRecorder } from './span-recorder.js';
import { applySpanRetention } from './span-retention.js';
import { markFailed } from './span-status.js';
import { TRACE_CONFIG_KEY } from './trace-scope.js';

/** Who and what a run is: copied onto every span of its trace. */
export interface RunTraceStart {
  readonly runId: string;
  readonly tenantId: string;
  readonly threadId: string;
  /** The graph or agent the run targets. */
  readonly target: string;
  /** The end user, when the caller named one (`metadata.user`). */
  readonly userId?: string;
  /** The user's message: the trace's input. */
  readonly input?: string;
}

export interface RunTraceEnd {
  /** The run's final status (`completed`, `interrupted`, `failed`, `cancelled`); `failed` marks the trace an error. */
  readonly status: string;
  /** The answer: the trace's output. */
  readonly output?: string;
  readonly error?: { readonly code: string; readonly message: string } | null;
}

/**
 * One run's trace: its root span, open until `end`. The run's LangChain config carries it, so that the model calls,
 * tool calls and retrievals made inside report to it; its nodes are reported from the run's task stream.
 */
export interface RunTrace {
  /** Stored on the run record; undefined when tracing is off. */
  readonly traceId: string | undefined;
  /** What the run's LangChain config carries in `configurable` for its work to find this trace. */
  readonly configurable: Readonly<Record<string, unknown>>;
  /** A graph task started: `path` is LangGraph's task path (`agent:<task id>`, `a:<id>|b:<id>` in a subgraph). */
  nodeStarted(path: string): void;
  nodeEnded(path: string, outcome?: NodeOutcome): void;
  /** Ends the root span (and any span the run left open). Call once. */
  end(outcome: RunTraceEnd): void;
}

export interface TracingStats {
  readonly enabled: boolean;
  /** Per configured sink. */
  readonly sinks: Partial<Record<SinkName, SinkStats>>;
  /** Spans dropped by all sinks together. */
  readonly dropped: number;
}

/**
 * The runtime's tracing. Spans are recorded on the thread that does the work (span-recorder.ts) and leave in
 * batches for an export thread of the runtime's own (export-thread.ts), where OpenTelemetry's SDK processors feed
 * each configured sink through a bounded queue; there, before a span leaves, it gets its run's attributes and is
 * redacted, once for all sinks (span-finisher.ts). Nothing touches OpenTelemetry's global provider, so several
 * runtimes can live in one process.
 */
export interface Tracing {
  readonly enabled: boolean;
  /**
   * Makes the model's calls report to the trace of the run that makes them: a LangChain callback handler of the
   * model's own (calls made outside a traced run make no span). Does nothing when tracing is off.
   */
  traceModelCalls(model: BaseLanguageModel): void;
  /** Starts a run's root span. */
  startRun(run: RunTraceStart): RunTrace;
  /** Starts the root span of a background job (an ingest, an eval run). */
  startJob(job: JobTraceStart): JobTrace;
  stats(): TracingStats;
  /**
   * Exports every ended span now, to every sink or to the one named. Never rejects: a sink that is down drops its
   * spans and says so.
   */
  flush(sink?: SinkName): Promise<void>;
  /** Applies the local store's retention now and every hour. */
  start(): void;
  /** Flushes and closes every sink, waiting 10 s at most (a sink that is down drops the rest). Idempotent. */
  shutdown(): Promise<void>;
}

export interface CreateTracingOptions {
  readonly settings: TracingSettings;
  readonly db: SqliteDatabase;
  readonly logger: Logger;
  readonly version: string;
  readonly now?: () => Date;
}

const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Builds tracing from the `tracing` config section. Off (`enabled: false`, or no sink configured) it is a no-op,
 * so a run pays nothing for it.
 *
 * @example
 * const tracing = createTracing({ settings: config.tracing, db, logger, version: TRELLIS_VERSION });
 * tracing.traceModelCalls(model);
 * const trace = tracing.startRun({ runId, tenantId, threadId, target: 'assistant', input: message });
 * const stream = await graph.stream(input, { configurable: { thread_id, ...trace.configurable }, streamMode: ['tasks'] });
 * for await (const chunk of stream) trace.nodeStarted(...); // and nodeEnded(...), from the task stream
 * trace.end({ status: 'completed', output: answer });
 */
export function createTracing(options: CreateTracingOptions): Tracing {
  const { settings, db, logger } = options;
  const now = options.now ?? (() => new Date());
  // Built even when tracing is off, so a bad pattern is reported at start-up, not when turned on. Spans are masked
  // on the export thread, with a redactor of its own made from the same settings.
  createRedactor(settings.redact);
  const sinks = configuredSinks(settings);
  if (sinks.length === 0) return disabledTracing;

  // The local store is written by the export thread over a connection of its own; an in-memory database has no
  // file for it to open.
  const dbFile = db.memory ? undefined : db.name;
  if (dbFile === undefined && settings.local.enabled) logger.warn('the local trace store needs a database file; spans are not stored locally');
  const exportThread = createSpanExportThread({ settings, sinks: sinks.map((sink) => sink.name), dbFile, version: options.version, logger });
  const recorder = new SpanRecorder({
    deliver: (records) => exportThread.deliver(records),
    maxPendingSpans: settings.maxQueueSpans,
    onDrop: (count) => exportThread.countDropped(count),
  });
  const keepContent = sinks.some((sink) => sink.includeContent);
  const retention = settings.local.enabled ? () => applySpanRetention(db, settings.local, now()) : undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped: Promise<void> | undefined;

  function applyRetention(): void {
    try {
      const deleted = retention?.() ?? 0;
      if (deleted > 0) logger.info({ deleted }, 'old trace spans deleted');
    } catch (error) {
      logger.warn({ err: error }, 'trace retention failed; it runs again in an hour');
    }
  }

  // The runs being traced, by run id: how a model call (which knows only the run id) finds its run's spans.
  const running = new Map<string, RunSpans>();
  const modelCallTracer = new ModelCallTracer((runId) => running.get(runId));
  return {
    enabled: true,
    traceModelCalls(model) {
      const own = model.callbacks;
      if (own === undefined) model.callbacks = [modelCallTracer];
      else if (Array.isArray(own)) {
        if (!own.includes(modelCallTracer)) model.callbacks = [...own, modelCallTracer];
      } else if (!own.handlers.includes(modelCallTracer)) own.addHandler(modelCallTracer, false);
    },
    startRun(run) {
      const common: Attributes = {
        [ATTR.tenantId]: run.tenantId,
        [ATTR.threadId]: run.threadId,
        [ATTR.runId]: run.runId,
        [ATTR.agent]: run.target,
        [ATTR.sessionId]: run.threadId,
        [ATTR.langfuseSessionId]: run.threadId,
        ...(run.userId ? { [ATTR.userId]: run.userId, [ATTR.langfuseUserId]: run.userId } : {}),
      };
      const name = `run ${run.target}`;
      const input = keepContent && run.input !== undefined ? boundedText(run.input) : undefined;
      const root = recorder.start(
        name,
        {
          [ATTR.spanKind]: 'run',
          [ATTR.langfuseObservationType]: 'agent',
          [ATTR.langfuseTraceName]: name,
          ...(input !== undefined ? { [ATTR.langfuseTraceInput]: input, [ATTR.langfuseInput]: input } : {}),
        },
        undefined,
        common,
      );
      const spans = new RunSpans({ recorder, root, keepContent, prices: settings.prices });
      running.set(run.runId, spans);
      let ended = false;
      return {
        traceId: root.traceId,
        // `run_id` is what LangGraph copies into the metadata of every call, the model's included.
        configurable: { [TRACE_CONFIG_KEY]: spans, run_id: run.runId },
        nodeStarted: (path) => {
          if (!ended) spans.nodeStarted(path);
        },
        nodeEnded: (path, outcome) => {
          if (!ended) spans.nodeEnded(path, outcome);
        },
        end(outcome) {
          if (ended) return;
          ended = true;
          // The message alone: the error was thrown and caught elsewhere, so a stack from here would mislead.
          const failure = outcome.status === 'failed' ? (outcome.error?.message ?? 'run failed') : undefined;
          running.delete(run.runId);
          if (spans.modelCallsOpen) modelCallTracer.forget(spans);
          spans.finish(failure);
          root.setAttribute(ATTR.runStatus, outcome.status);
          if (keepContent && outcome.output !== undefined) {
            const output = boundedText(outcome.output);
            root.setAttributes({ [ATTR.langfuseTraceOutput]: output, [ATTR.langfuseOutput]: output });
          }
          if (failure !== undefined) markFailed(root, failure, outcome.error?.code);
          else root.setStatus({ code: SpanStatusCode.OK });
          root.end();
        },
      };
    },
    startJob(job) {
      return startJobTrace(recorder, job);
    },
    stats() {
      const stats = exportThread.stats();
      const pending = recorder.pendingCount;
      const bySink = Object.fromEntries(Object.entries(stats).map(([name, counts]) => [name, { ...counts, queued: counts.queued + pending }]));
      return { enabled: true, sinks: bySink, dropped: Object.values(stats).reduce((sum, counts) => sum + counts.dropped, 0) };
    },
    async flush(only) {
      recorder.deliverNow();
      await exportThread.flush(only);
    },
    start() {
      if (timer || stopped) return;
      applyRetention();
      timer = setInterval(applyRetention, RETENTION_INTERVAL_MS);
      timer.unref();
    },
    shutdown() {
      stopped ??= (async () => {
        clearInterval(timer);
        recorder.deliverNow();
        const outcome = await exportThread.shutdown(SHUTDOWN_TIMEOUT_MS);
        if (outcome === 'late') logger.warn({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'trace sinks did not finish exporting before shutdown; the rest is dropped');
      })();
      return stopped;
    },
  };
}

/** A run's trace when tracing is off: its work runs as it would untraced. */
export const untracedRun: RunTrace = {
  traceId: undefined,
  configurable: {},
  nodeStarted: () => undefined,
  nodeEnded: () => undefined,
  end: () => undefined,
};

const disabledTracing: Tracing = {
  enabled: false,
  traceModelCalls: () => undefined,
  startRun: () => untracedRun,
  startJob: () => disabledJobTrace,
  stats: () => ({ enabled: false, sinks: {}, dropped: 0 }),
  flush: () => Promise.resolve(),
  start: () => undefined,
  shutdown: () => Promise.resolve(),
};
