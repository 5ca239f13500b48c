import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { TrellisError } from '../errors.js';
import { ATTR } from './attributes.js';

/**
 * Marks a span failed: ERROR status with the message, the Trellis error code (given, or the error's own), Langfuse's
 * level, and the exception as an event.
 */
export function markFailed(span: Span, error: unknown, code?: string): void {
  const message = error instanceof Error ? error.message : String(error);
  const errorCode = code ?? (TrellisError.isInstance(error) ? error.code : undefined);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttributes({
    [ATTR.langfuseLevel]: 'ERROR',
    [ATTR.langfuseStatusMessage]: message,
    ...(errorCode ? { [ATTR.errorCode]: errorCode } : {}),
  });
  span.recordException(error instanceof Error ? error : message);
}

/** Ends a span that did its work. */
export function endSucceeded(span: Span): void {
  span.setStatus({ code: SpanStatusCode.OK });
  span.end();
}

/** LangGraph's interrupts and parent commands (GraphBubbleUp) mark themselves so; matched by shape, not class. */
export function isBubbleUp(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { is_bubble_up?: unknown }).is_bubble_up === true;
}
