import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logger.js';

/** What one sink has done with the spans it was given, for `tracing.stats()`. */
export interface SinkStats {
  /** Spans waiting to be exported. Never more than the queue's limit. */
  readonly queued: number;
  readonly exported: number;
  /** Spans lost: the queue was full, or the sink refused or could not be reached. */
  readonly dropped: number;
}

export interface SinkQueueOptions {
  /** Names the sink in warnings and stats (`local`, `langfuse`, `otlp`). */
  readonly name: string;
  readonly exporter: SpanExporter;
  /** Applied to each span just before it is exported (see span-finisher.ts). */
  readonly finish: (span: ReadableSpan) => void;
  /** Most spans held while the sink is slow or down; further spans are dropped and counted. */
  readonly maxQueueSpans: number;
  readonly logger: Logger;
  /** How long spans wait to be sent in a batch. */
  readonly batchDelayMs?: number;
}

const DEFAULT_BATCH_DELAY_MS = 1000;
/** At most one warning a minute per sink, however many batches fail. */
const WARNING_INTERVAL_MS = 60_000;
const MAX_BATCH_SPANS = 512;

/**
 * One sink's way out of the process: ended spans wait in a bounded OpenTelemetry BatchSpanProcessor and leave in
 * batches through the sink's exporter. A sink that is slow or down costs a run nothing but the spans it misses:
 * past `maxQueueSpans` new spans are dropped, a failed batch is dropped, and both are counted and reported in a
 * warning at most once a minute. Nothing is retried beyond what the exporter itself does within its timeout.
 *
 * It is a span processor (for sinks fed directly) and, through `asExporter()`, an exporter that only enqueues (for
 * Langfuse's processor, which hands each span on after masking it).
 */
export class SinkQueue implements SpanProcessor {
  private readonly batch: BatchSpanProcessor;
  private queued = 0;
  private exported = 0;
  private dropped = 0;
  private droppedSinceWarning = 0;
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  /** Batches handed to the exporter and not yet answered: a flush waits for them too, not only for the queue. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: SinkQueueOptions) {
    this.batch = new BatchSpanProcessor(this.countingExporter(), {
      maxQueueSize: options.maxQueueSpans,
      maxExportBatchSize: Math.min(MAX_BATCH_SPANS, options.maxQueueSpans),
      scheduledDelayMillis: options.batchDelayMs ?? DEFAULT_BATCH_DELAY_MS,
    });
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.queued >= this.options.maxQueueSpans) {
      this.drop(1, 'the export queue is full');
      return;
    }
    this.queued += 1;
    this.batch.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await this.batch.forceFlush();
    await Promise.all([...this.inFlight]);
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown();
  }

  stats(): SinkStats {
    return { queued: this.queued, exported: this.exported, dropped: this.dropped };
  }

  /** This queue as an exporter whose `export` only enqueues: for a processor that must end in an exporter. */
  asExporter(): SpanExporter {
    return {
      export: (spans, done) => {
        for (const span of spans) this.onEnd(span);
        done({ code: ExportResultCode.SUCCESS });
      },
      forceFlush: () => this.forceFlush(),
      shutdown: () => this.shutdown(),
    };
  }

  private countingExporter(): SpanExporter {
    const { exporter } = this.options;
    return {
      export: (spans, done) => {
        this.queued -= spans.length;
        let answered!: () => void;
        const answer = new Promise<void>((resolve) => {
          answered = resolve;
        });
        this.inFlight.add(answer);
        for (const span of spans) this.options.finish(span);
        const settle = (result: ExportResult) => {
          this.inFlight.delete(answer);
          answered();
          if (result.code === ExportResultCode.SUCCESS) this.exported += spans.length;
          else this.drop(spans.length, result.error?.message ?? 'the sink refused the batch');
          // The batch is accounted for here. Reporting the failure on would hand it to OpenTelemetry's process-wide
          // error handler and make every flush reject; a sink being down is not the caller's error.
          done({ code: ExportResultCode.SUCCESS });
        };
        try {
          exporter.export(spans, settle);
        } catch (error) {
          settle({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
        }
      },
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
      shutdown: () => exporter.shutdown(),
    };
  }

  private drop(count: number, reason: string): void {
    this.dropped += count;
    this.droppedSinceWarning += count;
    const now = Date.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.options.logger.warn(
      { sink: this.options.name, dropped: this.droppedSinceWarning, droppedTotal: this.dropped, reason },
      `trace sink ${this.options.name} dropped spans: ${reason}`,
    );
    this.lastWarningAt = now;
    this.droppedSinceWarning = 0;
  }
}
