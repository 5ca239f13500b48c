import {
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Exception,
  type Span,
  type SpanContext,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-base';
import { isChatMessage, plainMessage } from './span-content.js';
import type { SpanEventRecord, SpanRecord } from './span-record.js';

/** Attributes and content of a span that can be worked out after it has ended (see `RecordedSpan.later`). */
export interface LaterDetails {
  readonly attributes?: Attributes;
  readonly content?: Readonly<Record<string, unknown>>;
}

export interface SpanRecorderOptions {
  /** Hands a batch of records to the export thread. */
  readonly deliver: (records: SpanRecord[]) => void;
  /** Most spans waiting for delivery; past it new spans are not recorded, and `onDrop` counts them. */
  readonly maxPendingSpans: number;
  readonly onDrop: (count: number) => void;
  /** How long a recorded span may wait before its batch is delivered. */
  readonly deliveryDelayMs?: number;
}

const DEFAULT_DELIVERY_DELAY_MS = 100;
/** A delivery this large goes at once rather than waiting for the delay. */
const DELIVERY_BATCH_SPANS = 512;

/**
 * Records spans on the thread that does the work, as cheaply as that can be done: a span is a small object whose
 * attributes are kept as given, and ended spans leave in batches for the export thread (export-thread.ts), where
 * OpenTelemetry's SDK processors and exporters take them. A run's spans cost it a few microseconds each instead of
 * the SDK's tens (sampling, limits, context, processor fan-out), and serialising, masking and sending happen on
 * another core.
 *
 * Ids are OpenTelemetry's own (`RandomIdGenerator`); times are epoch milliseconds from the monotonic clock.
 */
export class SpanRecorder {
  private readonly ids = new RandomIdGenerator();
  private pending: RecordedSpan[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SpanRecorderOptions) {}

  /** Starts a span: a new trace's root without `parent`, else a child of `parent`. */
  start(name: string, attributes: Attributes, parent?: RecordedSpan, shared?: Attributes): RecordedSpan {
    const traceId = parent?.traceId ?? this.ids.generateTraceId();
    const span = new RecordedSpan(this, traceId, this.ids.generateSpanId(), parent?.spanId, name, attributes, shared ?? parent?.shared);
    if (this.pending.length >= this.options.maxPendingSpans) {
      span.dropped = true;
      this.options.onDrop(1);
      return span;
    }
    this.enqueue(span);
    return span;
  }

  /** Delivers every span recorded so far now. */
  deliverNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const spans = this.pending;
    this.pending = [];
    const records = spans.map((span) => span.toRecord());
    for (const span of spans) span.delivered = true;
    this.options.deliver(records);
  }

  /** Spans recorded and not yet delivered. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Called by a span that ended after it was delivered open: its end goes in the next delivery. */
  ended(span: RecordedSpan): void {
    if (span.delivered && !span.dropped) this.enqueue(span);
  }

  private enqueue(span: RecordedSpan): void {
    this.pending.push(span);
    if (this.pending.length >= DELIVERY_BATCH_SPANS) this.deliverNow();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.deliverNow(), this.options.deliveryDelayMs ?? DEFAULT_DELIVERY_DELAY_MS);
      this.timer.unref();
    }
  }
}

/** Epoch milliseconds now, to the microsecond, from the monotonic clock. */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * One span on the recording thread. It is an OpenTelemetry API `Span`, so code that marks spans (status, exceptions,
 * attributes) works on it unchanged. What only the exported span needs is kept cheap while the work runs:
 * `setContent` keeps values as given (the export thread makes them JSON), and `later` puts off working out
 * attributes until the span is delivered, in a batch outside the work's own time.
 */
export class RecordedSpan implements Span {
  readonly startTime = nowMs();
  endTime: number | undefined;
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  readonly events: SpanEventRecord[] = [];
  content: Record<string, unknown> | undefined;
  private pendingDetails: (() => LaterDetails)[] | undefined;
  /** Sent to the export thread at least once (while open, or ended). */
  delivered = false;
  /** Not recorded (the recorder was full): kept only so the code holding it needs no check. */
  dropped = false;

  constructor(
    private readonly recorder: SpanRecorder,
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | undefined,
    public name: string,
    readonly attributes: Attributes,
    readonly shared: Attributes | undefined,
  ) {}

  spanContext(): SpanContext {
    return { traceId: this.traceId, spanId: this.spanId, traceFlags: TraceFlags.SAMPLED };
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.endTime === undefined) this.attributes[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (this.endTime === undefined) Object.assign(this.attributes, attributes);
    return this;
  }

  /**
   * A content attribute (prompt, answer, passages), kept as given: the values must not change afterwards (chat
   * messages never do). It is made plain data when delivered and bounded JSON on the export thread.
   */
  setContent(key: string, value: unknown): this {
    if (this.endTime === undefined) (this.content ??= {})[key] = value;
    return this;
  }

  /**
   * Attributes and content worked out from values that do not change (a model's response, a tool's result) when the
   * span is delivered rather than now. May be called until the span is delivered, ended or not.
   */
  later(details: () => LaterDetails): this {
    (this.pendingDetails ??= []).push(details);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.endTime !== undefined) return this;
    const attributes = isTimeInput(attributesOrTime) ? undefined : attributesOrTime;
    const at = isTimeInput(attributesOrTime) ? attributesOrTime : time;
    this.events.push({ name, time: at === undefined ? nowMs() : toMs(at), ...(attributes ? { attributes } : {}) });
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.endTime === undefined) this.status = status;
    return this;
  }

  updateName(name: string): this {
    if (this.endTime === undefined) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.endTime !== undefined) return;
    this.endTime = endTime === undefined ? nowMs() : toMs(endTime);
    this.recorder.ended(this);
  }

  isRecording(): boolean {
    return this.endTime === undefined && !this.dropped;
  }

  /** As OpenTelemetry's SDK records one: an `exception` event with its type, message and stack. */
  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else {
      const type = exception.code !== undefined ? String(exception.code) : exception.name;
      if (type) attributes['exception.type'] = type;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    this.addEvent('exception', attributes, time);
  }

  toRecord(): SpanRecord {
    if (this.pendingDetails) {
      for (const make of this.pendingDetails) {
        const { attributes, content } = make();
        if (attributes) Object.assign(this.attributes, attributes);
        if (content) Object.assign((this.content ??= {}), content);
      }
      this.pendingDetails = undefined;
    }
    if (this.content) for (const key in this.content) this.content[key] = cloneable(this.content[key]);
    return {
      traceId: this.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      startTime: this.startTime,
      attributes: this.attributes,
      shared: this.shared,
      content: this.content,
      endTime: this.endTime,
      status: this.status,
      events: this.events,
    };
  }
}

/** Chat messages (alone or in a list) become plain data that can cross to the export thread. */
function cloneable(value: unknown): unknown {
  if (isChatMessage(value)) return plainMessage(value);
  if (Array.isArray(value) && value.some((item) => isChatMessage(item))) return value.map((item: unknown) => (isChatMessage(item) ? plainMessage(item) : item));
  return value;
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || Array.isArray(value);
}

/** OpenTelemetry's time inputs (epoch ms, a Date, or an `[seconds, nanoseconds]` HrTime) as epoch milliseconds. */
function toMs(time: TimeInput): number {
  if (typeof time === 'number') return time;
  if (time instanceof Date) return time.getTime();
  return time[0] * 1000 + time[1] / 1e6;
}
