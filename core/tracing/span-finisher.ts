import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Redactor } from './redactor.js';

/**
 * What happens to a span once, just before the first exporter sees it, instead of while the run waits: the
 * attributes its whole run shares (tenant, thread, run, session, user, agent) are added, and every string (its name,
 * attributes, events and status message) goes through the redactor, in place. Sink queues call `finish`
 * on each batch they are about to export: one redactor for all sinks, none of which can see a span unmasked.
 *
 * Spans are made lean while the run is under way because there, each attribute costs several times what it costs
 * here, in a tight loop over a batch.
 */
export class SpanFinisher {
  private readonly finished = new WeakSet<object>();
  private readonly runAttributes = new WeakMap<object, Attributes>();
  /**
   * Short values (ids, names, models) repeat on every span of a run: each is scanned once. Bounded: emptied when
   * full, so a stream of distinct values costs a rescan, never memory.
   */
  private readonly seen = new Map<string, string>();

  constructor(private readonly redactor: Redactor) {}

  /** Remembers the attributes every span of the span's run carries, to add when it is finished. */
  attach(span: object, attributes: Attributes): void {
    this.runAttributes.set(span, attributes);
  }

  /** Adds the run's attributes and masks the span, once however many sinks export it. */
  finish(span: ReadableSpan): void {
    if (this.finished.has(span)) return;
    this.finished.add(span);
    // A sink's view of a span (see without-content.ts) inherits from the span itself.
    const shared = this.runAttributes.get(span) ?? this.runAttributes.get(Object.getPrototypeOf(span) as object);
    const attributes = span.attributes as Record<string, AttributeValue | undefined>;
    if (shared) for (const key in shared) if (!(key in attributes)) attributes[key] = shared[key];
    this.redactAttributes(attributes);
    for (const event of span.events) if (event.attributes) this.redactAttributes(event.attributes as Record<string, AttributeValue | undefined>);
    // An ended span's fields are plain data the SDK no longer guards: rewriting them is how processors mask
    // (Langfuse's own `mask` option does the same to its attributes). Names too: `retrieve <kb>` and `run <target>`
    // carry what a model or a client chose.
    const writable = span as { name: string; status: ReadableSpan['status'] };
    writable.name = this.redact(span.name);
    const message = span.status.message;
    if (message) writable.status = { ...span.status, message: this.redact(message) };
  }

  private redactAttributes(attributes: Record<string, AttributeValue | undefined>): void {
    for (const key in attributes) {
      const value = attributes[key];
      if (typeof value === 'string') attributes[key] = this.redact(value);
      else if (Array.isArray(value) && value.some((item) => typeof item === 'string')) {
        attributes[key] = (value as (string | null | undefined)[]).map((item) => (typeof item === 'string' ? this.redact(item) : item)) as AttributeValue;
      }
    }
  }

  private redact(text: string): string {
    if (text.length > MAX_CACHED_LENGTH) return this.redactor(text);
    let masked = this.seen.get(text);
    if (masked === undefined) {
      if (this.seen.size >= MAX_CACHED_VALUES) this.seen.clear();
      masked = this.redactor(text);
      this.seen.set(text, masked);
    }
    return masked;
  }
}

const MAX_CACHED_LENGTH = 200;
const MAX_CACHED_VALUES = 4096;
