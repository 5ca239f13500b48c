import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../../../core/tracing/span-record.js';
import { SpanRecorder } from '../../../../core/tracing/span-recorder.js';

/** A recorder whose deliveries are kept, delivered only when the test says (the delay is far away). */
function recording(maxPendingSpans = 100) {
  const deliveries: SpanRecord[][] = [];
  let dropped = 0;
  const recorder = new SpanRecorder({
    deliver: (records) => deliveries.push(structuredClone(records)),
    maxPendingSpans,
    onDrop: (count) => {
      dropped += count;
    },
    deliveryDelayMs: 60_000,
  });
  return { recorder, deliveries, dropped: () => dropped };
}

describe('SpanRecorder', () => {
  it('delivers spans in the order they started, children in their parent’s trace, with the trace’s shared attributes', () => {
    const { recorder, deliveries } = recording();
    const shared = { 'trellis.tenant.id': 'acme' };
    const root = recorder.start('run assistant', { 'trellis.span.kind': 'run' }, undefined, shared);
    const child = recorder.start('node agent', { 'trellis.span.kind': 'node' }, root);
    child.end();
    root.end();
    recorder.deliverNow();

    expect(deliveries).toHaveLength(1);
    const [first, second] = deliveries[0]!;
    expect(first).toMatchObject({ name: 'run assistant', traceId: root.traceId, spanId: root.spanId, parentSpanId: undefined, shared });
    expect(second).toMatchObject({ name: 'node agent', traceId: root.traceId, parentSpanId: root.spanId, shared });
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(second!.endTime!).toBeGreaterThanOrEqual(second!.startTime);
  });

  it('delivers a span that was open at the last delivery again once it ends, with its end', () => {
    const { recorder, deliveries } = recording();
    const root = recorder.start('run assistant', {});
    recorder.deliverNow();
    expect(deliveries[0]).toEqual([expect.objectContaining({ spanId: root.spanId, endTime: undefined })]);

    root.setStatus({ code: SpanStatusCode.OK });
    root.end();
    recorder.deliverNow();
    expect(deliveries[1]).toEqual([expect.objectContaining({ spanId: root.spanId, endTime: expect.any(Number), status: { code: SpanStatusCode.OK } })]);
  });

  it('works out `later` details and makes chat messages plain data only when the span is delivered', () => {
    const { recorder, deliveries } = recording();
    const span = recorder.start('chat model', {});
    let asked = 0;
    span.later(() => {
      asked += 1;
      return { attributes: { 'gen_ai.usage.output_tokens': 3 }, content: { 'langfuse.observation.output': new AIMessage('It is 4.') } };
    });
    span.setContent('langfuse.observation.input', [new HumanMessage('What is 2+2?')]);
    span.end();
    expect(asked).toBe(0);

    recorder.deliverNow();
    expect(asked).toBe(1);
    expect(deliveries[0]![0]).toMatchObject({
      attributes: { 'gen_ai.usage.output_tokens': 3 },
      content: {
        'langfuse.observation.input': [{ role: 'user', content: 'What is 2+2?' }],
        'langfuse.observation.output': { role: 'assistant', content: 'It is 4.' },
      },
    });
  });

  it('records an exception as OpenTelemetry’s SDK does, and ignores changes made after the end', () => {
    const { recorder, deliveries } = recording();
    const span = recorder.start('tool calculator', {});
    const error = Object.assign(new Error('expression cannot be parsed'), { code: 'TOOL_INPUT_INVALID' });
    span.recordException(error);
    span.end();
    span.setAttribute('late', true);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    recorder.deliverNow();

    const [record] = deliveries[0]!;
    expect(record!.events).toEqual([
      {
        name: 'exception',
        time: expect.any(Number),
        attributes: { 'exception.type': 'TOOL_INPUT_INVALID', 'exception.message': 'expression cannot be parsed', 'exception.stacktrace': expect.stringContaining('Error') },
      },
    ]);
    expect(record!.attributes).toEqual({});
    expect(record!.status).toEqual({ code: SpanStatusCode.UNSET });
  });

  it('records at most maxPendingSpans between deliveries, and counts the spans it had to leave out', () => {
    const { recorder, deliveries, dropped } = recording(2);
    const spans = ['a', 'b', 'c', 'd'].map((name) => recorder.start(name, {}));
    for (const span of spans) span.end();
    expect(spans.map((span) => span.isRecording())).toEqual([false, false, false, false]);
    recorder.deliverNow();
    expect(deliveries[0]!.map((record) => record.name)).toEqual(['a', 'b']);
    expect(dropped()).toBe(2);
  });

  it('delivers on its own once a batch is full, without waiting for the delay', () => {
    const { recorder, deliveries } = recording(10_000);
    const spans = Array.from({ length: 512 }, (_, index) => recorder.start(`span ${index}`, {}));
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toHaveLength(512);
    expect(recorder.pendingCount).toBe(0);
    // Delivered open, each comes again with its end.
    for (const span of spans) span.end();
    expect(recorder.pendingCount).toBe(0);
    expect(deliveries).toHaveLength(2);
  });
});
