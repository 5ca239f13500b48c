import type { Attributes, SpanStatus } from '@opentelemetry/api';

/** Something that happened at one moment of a span (an exception, a failed document of an ingest). */
export interface SpanEventRecord {
  readonly name: string;
  /** Epoch milliseconds, fractional. */
  readonly time: number;
  readonly attributes?: Attributes;
}

/**
 * A span as it crosses from the thread that records it to the thread that exports it: plain data, cloned by
 * `postMessage`. A span is sent when it has started (it may still be open) and again when it has ended, unless both
 * happened between two deliveries; every send carries its whole state so far.
 */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** Epoch milliseconds, fractional. */
  readonly startTime: number;
  readonly attributes: Attributes;
  /**
   * The attributes every span of its trace carries (tenant, thread, run, user, ...), added on the export thread.
   * One object per trace, so a delivery clones it once for all the trace's spans in it.
   */
  readonly shared: Attributes | undefined;
  /**
   * Values of content attributes (prompts, answers, passages) as plain data, turned into bounded JSON on the export
   * thread rather than while the run waits.
   */
  readonly content: Readonly<Record<string, unknown>> | undefined;
  /** Undefined while the span is open. */
  readonly endTime: number | undefined;
  readonly status: SpanStatus;
  readonly events: readonly SpanEventRecord[];
}
