import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_ATTRIBUTES } from '../../../core/tracing/attributes.js';
import type { RunRecord } from '../../../runtime/run-records.js';
import { startOtlpListener, type OtlpListener, type ReceivedSpan } from './otlp-listener.js';
import { spanTrees } from './span-tree.js';
import { ANSWER, createTracedRuntime, EXPECTED_TREE, runSpansOf, runTracedAgent, type TracedRuntime } from './traced-agent.js';

const treeOf = (spans: readonly ReceivedSpan[]) =>
  spanTrees(spans.map((span) => ({ id: span.spanId, parentId: span.parentSpanId, name: span.name, start: span.startTime })));

describe('the OTLP sink, to a collector on a loopback port', () => {
  let listener: OtlpListener;
  let runtime: TracedRuntime;
  let run: RunRecord;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    listener = await startOtlpListener();
    runtime = await createTracedRuntime({
      tracing: { local: { enabled: false }, otlp: { endpoint: `${listener.url}/v1/traces`, headers: { 'x-collector-token': 'token-1' } } },
    });
    run = await runTracedAgent(runtime);
    await runtime.tracing.flush();
    spans = runSpansOf(listener.spans('/v1/traces'));
  });
  afterAll(async () => {
    await runtime.dispose();
    await listener.close();
  });

  it('posts the run to the configured endpoint with the configured headers', () => {
    expect(listener.requests.length).toBeGreaterThan(0);
    for (const request of listener.requests) {
      expect(request).toMatchObject({ method: 'POST', path: '/v1/traces' });
      expect(request.headers['x-collector-token']).toBe('token-1');
    }
    expect(spans[0]!.resource).toMatchObject({ 'service.name': 'trellis' });
    expect(new Set(spans.map((span) => span.scope))).toEqual(new Set(['trellis']));
  });

  it('sends the same tree as every sink, in one trace, with inputs and outputs', () => {
    expect(treeOf(spans)).toEqual([EXPECTED_TREE]);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
    const root = spans.find((span) => span.name === 'run assistant')!;
    expect(root.attributes).toMatchObject({ 'trellis.run.id': run.id, 'langfuse.trace.output': ANSWER });
    expect(spans.find((span) => span.name === 'tool calculator')!.attributes['langfuse.observation.input']).toBe('{"expression":"2+2"}');
  });
});

describe('a sink with includeContent: false', () => {
  let listener: OtlpListener;
  let runtime: TracedRuntime;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    listener = await startOtlpListener();
    // The local store keeps content; the collector does not: each sink's switch is its own.
    runtime = await createTracedRuntime({ tracing: { otlp: { endpoint: `${listener.url}/v1/traces`, includeContent: false } } });
    await runTracedAgent(runtime);
    await runtime.tracing.flush();
    spans = runSpansOf(listener.spans('/v1/traces'));
  });
  afterAll(async () => {
    await runtime.dispose();
    await listener.close();
  });

  it('gets every span without inputs and outputs, and none of their text on the wire', () => {
    expect(treeOf(spans)).toEqual([EXPECTED_TREE]);
    for (const span of spans) for (const name of CONTENT_ATTRIBUTES) expect(span.attributes).not.toHaveProperty(name);
    const wire = Buffer.concat(listener.requests.map((request) => request.body)).toString('utf8');
    for (const text of ['What is 2+2', ANSWER, 'reset password', 'open Settings', '"expression"']) expect(wire).not.toContain(text);
  });

  it('still gets timings, models, token usage and tool names', () => {
    const generation = spans.find((span) => span.name === 'chat ScriptedChatModel')!;
    expect(generation.attributes).toMatchObject({ 'gen_ai.request.model': 'ScriptedChatModel', 'gen_ai.usage.input_tokens': expect.any(Number) });
    expect(spans.find((span) => span.name === 'tool calculator')!.attributes).toMatchObject({ 'gen_ai.tool.name': 'calculator' });
    expect(spans.find((span) => span.name === 'retrieve help')!.attributes).toMatchObject({ 'trellis.retrieval.hits': 1 });
  });

  it('leaves the content in the sinks that keep it', () => {
    const rows = runtime.db.prepare("SELECT attributes FROM trace_spans WHERE name = 'run assistant'").pluck().all() as string[];
    expect(rows.map((row) => JSON.parse(row) as Record<string, unknown>)).toEqual([expect.objectContaining({ 'langfuse.trace.output': ANSWER })]);
  });
});
