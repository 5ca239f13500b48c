import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CONTENT_ATTRIBUTES } from './attributes.js';

const CONTENT = new Set(CONTENT_ATTRIBUTES);

/**
 * A sink's view of spans without their content (prompts, answers, tool arguments and results, retrieved passages),
 * for sinks configured with `includeContent: false`: timings, tokens, costs and errors still arrive.
 */
export class WithoutContentProcessor implements SpanProcessor {
  constructor(private readonly sink: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.sink.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.sink.onEnd(withoutContent(span));
  }

  forceFlush(): Promise<void> {
    return this.sink.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.sink.shutdown();
  }
}

/**
 * The span with its own `attributes` minus the content ones; everything else (ids, times, events, methods) is read
 * through the prototype from the original, so no other sink's view changes and nothing is copied but attributes.
 */
function withoutContent(span: ReadableSpan): ReadableSpan {
  if (!Object.keys(span.attributes).some((key) => CONTENT.has(key))) return span;
  const attributes = Object.fromEntries(Object.entries(span.attributes).filter(([key]) => !CONTENT.has(key)));
  return Object.create(span, { attributes: { value: attributes, enumerable: true, writable: true } }) as ReadableSpan;
}
