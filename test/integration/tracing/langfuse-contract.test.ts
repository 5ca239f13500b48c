import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../core/logger.js';
import type { ScriptedChatModel } from '../../../core/models/scripted-chat-model.js';
import type { RunRecord } from '../../../runtime/run-records.js';
import { closedPort } from '../../helpers/closed-port.js';
import { startOtlpListener, type OtlpListener, type ReceivedSpan } from './otlp-listener.js';
import { spanTrees } from './span-tree.js';
import { ANSWER, createTracedRuntime, EXPECTED_TREE, INGEST_SPANS, runSpansOf, runTracedAgent, SECRETS, type TracedRuntime } from './traced-agent.js';

const LANGFUSE_TRACES = '/api/public/otel/v1/traces';
const KEYS = { publicKey: 'pk-lf-contract', secretKey: 'sk-lf-contract-0123456789' };

const byName = (spans: readonly ReceivedSpan[], name: string) => spans.filter((span) => span.name === name);
const treeOf = (spans: readonly ReceivedSpan[]) =>
  spanTrees(spans.map((span) => ({ id: span.spanId, parentId: span.parentSpanId, name: span.name, start: span.startTime })));
const wordCount = (text: string) => text.match(/\S+/g)?.length ?? 0;

describe('the Langfuse export, as it arrives at a Langfuse base URL', () => {
  let listener: OtlpListener;
  let runtime: TracedRuntime;
  let run: RunRecord;
  let spans: ReceivedSpan[];

  beforeAll(async () => {
    listener = await startOtlpListener();
    runtime = await createTracedRuntime({ tracing: { langfuse: { ...KEYS, baseUrl: listener.url } } });
    run = await runTracedAgent(runtime);
    await runtime.tracing.flush();
    spans = runSpansOf(listener.spans(LANGFUSE_TRACES));
  });
  afterAll(async () => {
    await runtime.dispose();
    await listener.close();
  });

  it('posts OTLP/JSON to /api/public/otel/v1/traces with Basic auth of the public and secret keys', () => {
    expect(run.status).toBe('completed');
    expect(listener.requests.length).toBeGreaterThan(0);
    const basic = `Basic ${Buffer.from(`${KEYS.publicKey}:${KEYS.secretKey}`).toString('base64')}`;
    for (const request of listener.requests) {
      expect(request).toMatchObject({ method: 'POST', path: LANGFUSE_TRACES });
      expect(request.headers.authorization).toBe(basic);
      expect(request.headers['content-type']).toBe('application/json');
    }
    expect(spans[0]!.resource).toMatchObject({ 'service.name': 'trellis', 'service.version': expect.any(String) });
  });

  it('sends the run as one trace: the root run span, graph nodes under it, model, tool and retrieval spans under the nodes', () => {
    expect(treeOf(spans)).toEqual([EXPECTED_TREE]);
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([spans[0]!.traceId]));
    // The run record names its trace, so feedback and the viewer find one from the other.
    const stored = runtime.db.prepare('SELECT trace_id FROM runs WHERE id = ?').pluck().get(run.id);
    expect(stored).toBe(spans[0]!.traceId);
  });

  it('carries the session (thread), user, tenant, run and agent on every span', () => {
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        'session.id': run.threadId,
        'langfuse.session.id': run.threadId,
        'user.id': 'user-42',
        'langfuse.user.id': 'user-42',
        'trellis.tenant.id': 'acme',
        'trellis.thread.id': run.threadId,
        'trellis.run.id': run.id,
        'trellis.agent': 'assistant',
      });
    }
  });

  it('gives the trace the user message as input, the answer as output, and Langfuse observation types', () => {
    const [root] = byName(spans, 'run assistant');
    expect(root!.attributes).toMatchObject({
      'langfuse.trace.name': 'run assistant',
      'langfuse.trace.input': expect.stringContaining('What is 2+2, and how do I reset my password?'),
      'langfuse.trace.output': ANSWER,
      'langfuse.observation.type': 'agent',
      'trellis.run.status': 'completed',
    });
    expect(root!.status.code).toBe(1);
    const types = new Map(spans.map((span) => [span.name.split(' ')[0], span.attributes['langfuse.observation.type']]));
    expect(Object.fromEntries(types)).toEqual({ run: 'agent', node: 'chain', chat: 'generation', tool: 'tool', retrieve: 'retriever' });
  });

  it('describes each model call as a generation with its model, messages, token usage and cost', () => {
    const model = runtime.models.chat.mode === 'model' ? (runtime.models.chat.model as ScriptedChatModel) : undefined;
    const generations = byName(spans, 'chat ScriptedChatModel').sort((a, b) => a.startTime - b.startTime);
    expect(generations).toHaveLength(3);
    generations.forEach((generation, index) => {
      // The scripted model counts words: every message it was shown in, every word it answered.
      const input = model!.calls[index]!.messages.reduce((sum, message) => sum + wordCount(message.text), 0);
      const output = index === 2 ? wordCount(ANSWER) : 0;
      expect(generation.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'ScriptedChatModel',
        'langfuse.observation.model.name': 'ScriptedChatModel',
        'gen_ai.usage.input_tokens': input,
        'gen_ai.usage.output_tokens': output,
        'trellis.cost.usd': input * 1 + output * 2,
      });
      expect(JSON.parse(generation.attributes['langfuse.observation.usage_details'] as string)).toEqual({ input, output, total: input + output });
      expect(JSON.parse(generation.attributes['langfuse.observation.cost_details'] as string)).toEqual({ input, output: output * 2, total: input + output * 2 });
    });
    const firstInput = JSON.parse(generations[0]!.attributes['langfuse.observation.input'] as string) as { role: string; content: string }[];
    expect(firstInput.map((message) => message.role)).toEqual(['system', 'user']);
    expect(JSON.parse(generations[0]!.attributes['langfuse.observation.output'] as string)).toMatchObject({
      role: 'assistant',
      tool_calls: [{ name: 'calculator', args: { expression: '2+2' }, id: 'call_calculator' }],
    });
    expect(JSON.parse(generations[2]!.attributes['langfuse.observation.output'] as string)).toMatchObject({ role: 'assistant', content: ANSWER });
  });

  it('records tool calls and the retrieval with their inputs and outputs', () => {
    const [calculator] = byName(spans, 'tool calculator');
    expect(calculator!.attributes).toMatchObject({ 'gen_ai.tool.name': 'calculator', 'gen_ai.operation.name': 'execute_tool' });
    expect(JSON.parse(calculator!.attributes['langfuse.observation.input'] as string)).toEqual({ expression: '2+2' });
    expect(JSON.parse(calculator!.attributes['langfuse.observation.output'] as string)).toEqual({ expression: '2+2', result: 4 });
    const [retrieval] = byName(spans, 'retrieve help');
    expect(retrieval!.attributes).toMatchObject({
      'trellis.span.kind': 'retrieval',
      'trellis.retrieval.kb': 'help',
      'trellis.retrieval.mode': 'keyword',
      'trellis.retrieval.hits': 1,
      'langfuse.observation.input': 'reset password',
    });
    expect(JSON.parse(retrieval!.attributes['langfuse.observation.output'] as string)).toEqual([
      expect.objectContaining({ source: 'reset.md', text: expect.stringContaining('open Settings and choose Security') }),
    ]);
  });

  it('never sends the secrets from the user message: they are masked before any byte leaves', () => {
    const model = runtime.models.chat.mode === 'model' ? (runtime.models.chat.model as ScriptedChatModel) : undefined;
    // The model itself was shown them: masking is for what leaves in traces, not for the conversation.
    expect(model!.calls[0]!.messages.at(-1)!.text).toContain(SECRETS.email);
    const wire = Buffer.concat(listener.requests.map((request) => request.body)).toString('utf8');
    for (const secret of [SECRETS.email, SECRETS.apiKey, 'jane.doe', '4f9b2c7d1e8a']) expect(wire).not.toContain(secret);
    expect(wire).toContain('I am [REDACTED:email], my key is [REDACTED:key].');
  });
});

describe('a Langfuse that cannot be reached', () => {
  it('lets every run succeed and drops their spans, counted, with one warning for all of them', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const port = await closedPort();
    const runtime = await createTracedRuntime({
      tracing: { langfuse: { ...KEYS, baseUrl: `http://127.0.0.1:${port}` } },
      logger: createLogger({ level: 'warn', pretty: false, destination }),
    });
    try {
      const runs = 10;
      for (let index = 0; index < runs; index += 1) {
        expect((await runTracedAgent(runtime)).status).toBe('completed');
      }
      await runtime.tracing.flush();
      const spansPerRun = 12;
      expect(runtime.tracing.stats().sinks.langfuse).toEqual({ queued: 0, exported: 0, dropped: runs * spansPerRun + INGEST_SPANS });
      // The other sinks are not held back: the local store has every span.
      expect(runtime.tracing.stats().sinks.local).toEqual({ queued: 0, exported: runs * spansPerRun + INGEST_SPANS, dropped: 0 });
      const warnings = lines.map((line) => JSON.parse(line) as { sink?: string; dropped?: number; msg: string }).filter((entry) => entry.sink === 'langfuse');
      expect(warnings).toEqual([expect.objectContaining({ sink: 'langfuse', dropped: expect.any(Number), msg: expect.stringContaining('dropped spans') })]);
    } finally {
      await runtime.dispose();
    }
  });
});
