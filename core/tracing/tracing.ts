import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { ROOT_CONTEXT, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { SqliteDatabase } from '../db.js';
import type { Logger } from '../logger.js';
import { ATTR } from './attributes.js';
import { disabledJobTrace, startJobTrace, type JobTrace, type JobTraceStart } from './job-trace.js';
import { createRedactor } from './redactor.js';
import type { SinkStats } from './sink-queue.js';
import { createSinks, type SinkName, type TracingSettings } from './sinks.js';
import { MAX_ATTRIBUTE_CHARS, boundedText } from './span-content.js';
import { SpanFinisher } from './span-finisher.js';
import { applySpanRetention } from './span-retention.js';
import { markFailed, TraceCallbackHandler } from './trace-callback-handler.js';

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

/** One run's trace: its root span, open until `end`. */
export interface RunTrace {
  /** Stored on the run record; undefined when tracing is off. */
  readonly traceId: string | undefined;
  /** Pass in the run's LangChain config: they turn every node, model, tool and retrieval into a span. */
  readonly callbacks: readonly BaseCallbackHandler[];
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
 * The runtime's tracing: one tracer provider of its own (never the global one, so that several runtimes can live in
 * one process), handing spans to each configured sink through a bounded queue; before a span leaves, it gets its
 * run's attributes and is redacted, once for all sinks (span-finisher.ts).
 */
export interface Tracing {
  readonly enabled: boolean;
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
 * Builds tracing from the `tracing` config section. Off (`enabled: false`, or no sink configured) it is a no-op
 * whose runs carry no callbacks, so a run pays nothing for it.
 *
 * @example
 * const tracing = createTracing({ settings: config.tracing, db, logger, version: TRELLIS_VERSION });
 * const trace = tracing.startRun({ runId, tenantId, threadId, target: 'assistant', input: message });
 * await graph.stream(input, { callbacks: [...trace.callbacks], ... });
 * trace.end({ status: 'completed', output: answer });
 */
export function createTracing(options: CreateTracingOptions): Tracing {
  const { settings, db, logger } = options;
  const now = options.now ?? (() => new Date());
  // The redactor is built even when tracing is off, so a bad pattern is reported at start-up, not when turned on.
  const finisher = new SpanFinisher(createRedactor(settings.redact));
  const sinks = settings.enabled ? createSinks({ settings, db, logger, finisher, version: options.version }) : [];
  if (sinks.length === 0) return disabledTracing;

  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'trellis', [ATTR_SERVICE_VERSION]: options.version }),
    spanProcessors: sinks.map((sink) => sink.processor),
    // Values are already bounded where they are made; this is the backstop for anything else.
    spanLimits: { attributeValueLengthLimit: MAX_ATTRIBUTE_CHARS * 2 },
  });
  const tracer = provider.getTracer('trellis', options.version);
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

  return {
    enabled: true,
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
      const root = tracer.startSpan(
        name,
        {
          attributes: {
            [ATTR.spanKind]: 'run',
            [ATTR.langfuseObservationType]: 'agent',
            [ATTR.langfuseTraceName]: name,
            ...(input !== undefined ? { [ATTR.langfuseTraceInput]: input, [ATTR.langfuseInput]: input } : {}),
          },
        },
        ROOT_CONTEXT,
      );
      finisher.attach(root, common);
      const handler = new TraceCallbackHandler({ tracer, root, common, finisher, keepContent, prices: settings.prices });
      let ended = false;
      return {
        traceId: root.spanContext().traceId,
        callbacks: [handler],
        end(outcome) {
          if (ended) return;
          ended = true;
          // The message alone: the error was thrown and caught elsewhere, so a stack from here would mislead.
          const failure = outcome.status === 'failed' ? (outcome.error?.message ?? 'run failed') : undefined;
          handler.finish(failure);
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
      return startJobTrace(tracer, finisher, job);
    },
    stats() {
      const entries = sinks.map((sink) => [sink.name, sink.queue.stats()] as const);
      return { enabled: true, sinks: Object.fromEntries(entries), dropped: entries.reduce((sum, [, stats]) => sum + stats.dropped, 0) };
    },
    async flush(only) {
      // A span is in its sinks' queues as soon as it ends, so flushing one sink's queue is enough for that sink.
      const flushing = only === undefined ? provider.forceFlush() : (sinks.find((sink) => sink.name === only)?.queue.forceFlush() ?? Promise.resolve());
      await flushing.catch((error: unknown) => logger.warn({ err: error }, 'trace flush failed'));
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
        let deadline: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          deadline = setTimeout(() => resolve('late'), SHUTDOWN_TIMEOUT_MS);
        });
        const outcome = await Promise.race([provider.shutdown().then(() => 'done' as const, () => 'done' as const), late]);
        clearTimeout(deadline);
        if (outcome === 'late') logger.warn({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'trace sinks did not finish exporting before shutdown; the rest is dropped');
      })();
      return stopped;
    },
  };
}

const disabledTracing: Tracing = {
  enabled: false,
  startRun: () => ({ traceId: undefined, callbacks: [], end: () => undefined }),
  startJob: () => disabledJobTrace,
  stats: () => ({ enabled: false, sinks: {}, dropped: 0 }),
  flush: () => Promise.resolve(),
  start: () => undefined,
  shutdown: () => Promise.resolve(),
};
