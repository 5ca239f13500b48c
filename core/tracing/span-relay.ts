import { ROOT_CONTEXT, SpanKind, TraceFlags, type Attributes, type AttributeValue, type HrTime, type SpanContext, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { boundedJson, boundedText, MAX_ATTRIBUTE_CHARS } from './span-content.js';
import type { SpanFinisher } from './span-finisher.js';
import type { SpanEventRecord, SpanRecord } from './span-record.js';

/** Values are bounded where they are made; this is the backstop for anything else (the SDK's attribute limit). */
const MAX_ATTRIBUTE_VALUE_CHARS = MAX_ATTRIBUTE_CHARS * 2;

export interface SpanRelayOptions {
  /** The sinks' processors, each given every span as a tracer provider would give it. */
  readonly processors: readonly SpanProcessor[];
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  /** Adds a trace's shared attributes and masks each span before it is exported. */
  readonly finisher: SpanFinisher;
}

/**
 * The export thread's half of span recording (see span-recorder.ts): turns records back into the spans
 * OpenTelemetry's SDK processors and exporters take, in the order a tracer provider would hand them on: `onStart`
 * when a span is first seen (parents before children, which Langfuse's processor relies on), `onEnd` when it has
 * ended. Content values become bounded JSON here, off the thread that recorded them.
 */
export class SpanRelay {
  /** Spans delivered while open, waiting for their end. */
  private readonly open = new Map<string, RelayedSpan>();

  constructor(private readonly options: SpanRelayOptions) {}

  apply(records: readonly SpanRecord[]): void {
    const { processors, finisher } = this.options;
    for (const record of records) {
      let span = this.open.get(record.spanId);
      if (span) span.update(record);
      else {
        span = new RelayedSpan(record, this.options.resource, this.options.scope);
        if (record.shared) finisher.attach(span, record.shared);
        for (const processor of processors) processor.onStart(span as unknown as Span, ROOT_CONTEXT);
      }
      if (record.endTime === undefined) {
        this.open.set(record.spanId, span);
        continue;
      }
      this.open.delete(record.spanId);
      span.finish(record);
      for (const processor of processors) processor.onEnd(span);
    }
  }
}

/**
 * A span rebuilt from its record: the ReadableSpan exporters read, with the few writable methods processors call
 * on a starting span (Langfuse's sets its environment and release).
 */
class RelayedSpan implements ReadableSpan {
  name: string;
  readonly kind = SpanKind.INTERNAL;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  endTime: HrTime = [0, 0];
  duration: HrTime = [0, 0];
  status: SpanStatus;
  readonly attributes: Attributes = {};
  readonly links = [];
  events: TimedEvent[] = [];
  ended = false;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly spanContext: () => SpanContext;

  constructor(
    record: SpanRecord,
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
  ) {
    const context: SpanContext = { traceId: record.traceId, spanId: record.spanId, traceFlags: TraceFlags.SAMPLED };
    this.spanContext = () => context;
    this.parentSpanContext = record.parentSpanId ? { traceId: record.traceId, spanId: record.parentSpanId, traceFlags: TraceFlags.SAMPLED } : undefined;
    this.name = record.name;
    this.startTime = hrTimeOf(record.startTime);
    this.status = record.status;
    this.update(record);
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (!this.ended && value !== undefined) this.attributes[key] = bounded(value);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  /** The record's state so far: attributes set on the recording thread win over those set here at start. */
  update(record: SpanRecord): void {
    this.name = record.name;
    this.setAttributes(record.attributes);
  }

  finish(record: SpanRecord): void {
    this.update(record);
    for (const key in record.content) {
      const value = record.content[key];
      this.attributes[key] = typeof value === 'string' ? boundedText(value) : boundedJson(value);
    }
    this.status = record.status;
    this.events = record.events.map(timedEvent);
    this.endTime = hrTimeOf(record.endTime!);
    this.duration = hrTimeOf(Math.max(0, record.endTime! - record.startTime));
    this.ended = true;
  }
}

function bounded(value: AttributeValue): AttributeValue {
  return typeof value === 'string' && value.length > MAX_ATTRIBUTE_VALUE_CHARS ? value.slice(0, MAX_ATTRIBUTE_VALUE_CHARS) : value;
}

function timedEvent(event: SpanEventRecord): TimedEvent {
  return { name: event.name, time: hrTimeOf(event.time), ...(event.attributes ? { attributes: event.attributes } : {}), droppedAttributesCount: 0 };
}

/** Epoch (or elapsed) milliseconds as OpenTelemetry's `[seconds, nanoseconds]`. */
function hrTimeOf(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6))];
}
