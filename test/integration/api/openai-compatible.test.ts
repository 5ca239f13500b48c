import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { sharedModel } from '../../helpers/paths.js';

/** The scripted model: a client tool call when asked about weather, an answer from the tool's result, else a greeting. */
const SCRIPT = [
  { match: 'weather', toolCalls: [{ name: 'get_weather', args: { city: 'Paris' }, id: 'call_weather' }] },
  { match: 'sunny', text: 'It is sunny in Paris.' },
  { match: 'declined', text: 'Understood, I did not fetch it.' },
  { match: 'fetch', toolCalls: [{ name: 'http_fetch', args: { url: 'https://example.com/' }, id: 'call_fetch' }] },
  { match: '^Compute', toolCalls: [{ name: 'calculator', args: { expression: '6*7' }, id: 'call_compute' }] },
  { match: '"result":42', text: 'It is 42.' },
  { text: 'Hello from Trellis, how can I help?' },
];

describe('the OpenAI-compatible API, driven by the official openai client', () => {
  let server: ApiServer;
  let client: OpenAI;
  beforeAll(async () => {
    server = await startApiServer({
      script: SCRIPT,
      overrides: { models: { embedding: { path: sharedModel('glove-6B-100d-60k-onnx') } } },
    });
    client = new OpenAI({ apiKey: server.keys.chat, baseURL: `${server.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists every agent and graph as a model', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(expect.arrayContaining(['assistant', 'researcher', 'supervisor', 'rag', 'research', 'pipeline']));
    expect((await client.models.retrieve('assistant')).owned_by).toBe('trellis');
  });

  it('answers a non-streaming completion, with the thread it used gone afterwards', async () => {
    const completion = await client.chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'Hi!' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello from Trellis, how can I help?' });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const extension = (completion as unknown as { trellis: { thread_id: string | null; run_id: string; status: string } }).trellis;
    expect(extension).toMatchObject({ thread_id: null, status: 'completed' });
    await expect.poll(() => server.runtime.threads.list('acme').length).toBe(0);
  });

  it('stores nothing of a stateless completion, even one that ran a server tool: no thread, run, checkpoint or journal', async () => {
    const { db } = server.runtime;
    const checkpoints = server.runtime.checkpointer;
    const stored = async () => {
      let count = 0;
      for await (const _tuple of checkpoints.saver.list({ configurable: {} })) count += 1;
      return {
        threads: db.prepare('SELECT COUNT(*) FROM threads').pluck().get(),
        runs: db.prepare('SELECT COUNT(*) FROM runs').pluck().get(),
        journal: db.prepare('SELECT COUNT(*) FROM tool_journal').pluck().get(),
        checkpoints: count,
      };
    };
    const before = await stored();
    const completion = await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: 'Compute six times seven' }] });
    expect(completion.choices[0]!.message.content).toBe('It is 42.');
    expect((completion as unknown as { trellis: { thread_id: string | null } }).trellis.thread_id).toBeNull();
    expect(await stored()).toEqual(before);
    // The run was traced all the same: ops review stateless runs too.
    await server.runtime.tracing.flush();
    const runId = (completion as unknown as { trellis: { run_id: string } }).trellis.run_id;
    const spans = db.prepare('SELECT name FROM trace_spans WHERE run_id = ?').pluck().all(runId);
    expect(spans).toEqual(expect.arrayContaining(['run assistant', 'tool calculator', 'chat ScriptedChatModel']));
  });

  it('streams the answer token by token, ending with the finish reason and [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'Hi again' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    const finishReasons: (string | null)[] = [];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        if (choice.delta.content) deltas.push(choice.delta.content);
        finishReasons.push(choice.finish_reason);
      }
    }
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('Hello from Trellis, how can I help?');
    expect(finishReasons.filter(Boolean)).toEqual(['stop']);
  });

  it("hands the client's own tool call back, then answers from the result it sends", async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    ];
    const question = { role: 'user' as const, content: 'What is the weather in Paris?' };
    const first = await client.chat.completions.create({ model: 'assistant', messages: [question], tools });
    const call = first.choices[0]!.message.tool_calls?.[0];
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ id: 'call_weather', type: 'function', function: { name: 'get_weather' } });
    expect(JSON.parse((call as { function: { arguments: string } }).function.arguments)).toEqual({ city: 'Paris' });

    const second = await client.chat.completions.create({
      model: 'assistant',
      tools,
      messages: [question, first.choices[0]!.message, { role: 'tool', tool_call_id: 'call_weather', content: '{"sky":"sunny"}' }],
    });
    expect(second.choices[0]!.message.content).toBe('It is sunny in Paris.');
  });

  it('keeps the thread when a server tool waits for approval, and resumes it with thread_id + resume', async () => {
    const first = await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: 'Please fetch example.com' }] });
    const extension = (first as unknown as { trellis: { thread_id: string; status: string; approval: { requests: { name: string }[] } } }).trellis;
    expect(extension.status).toBe('interrupted');
    expect(extension.approval.requests[0]!.name).toBe('http_fetch');
    expect(first.choices[0]!.message.content).toContain('Waiting for approval: http_fetch');

    const resumed = await client.chat.completions.create({
      model: 'assistant',
      messages: [],
      // Trellis's extension fields travel as extra body fields, which the SDK passes through.
      ...({ thread_id: extension.thread_id, resume: { action: 'reject', reason: 'declined by the user' } } as object),
    });
    expect(resumed.choices[0]!.message.content).toBe('Understood, I did not fetch it.');
    expect((resumed as unknown as { trellis: { thread_id: string } }).trellis.thread_id).toBe(extension.thread_id);
  });

  it("refuses another tenant's thread as unknown", async () => {
    const first = await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: 'fetch it please' }] });
    const threadId = (first as unknown as { trellis: { thread_id: string } }).trellis.thread_id;
    const intruder = new OpenAI({ apiKey: server.keys.otherTenant, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const attempt = intruder.chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'hi' }],
      ...({ thread_id: threadId } as object),
    });
    await expect(attempt).rejects.toMatchObject({ status: 404, error: { code: 'THREAD_NOT_FOUND' } });
  });

  it('embeds texts with the configured embedder, as floats or base64', async () => {
    const result = await client.embeddings.create({ model: 'any', input: ['the wing of an aircraft', 'boundary layer flow'], encoding_format: 'float' });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding).toHaveLength(100);
    // The SDK asks for base64 by default and decodes it: the same vectors come back.
    const decoded = await client.embeddings.create({ model: 'any', input: ['the wing of an aircraft', 'boundary layer flow'] });
    expect(decoded.data[1]!.embedding[0]).toBeCloseTo(result.data[1]!.embedding[0]!, 5);
  });

  it('answers bad requests with the status and code of the error catalogue', async () => {
    await expect(client.chat.completions.create({ model: 'no-such-agent', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
      status: 404,
      error: { code: 'RUN_TARGET_UNKNOWN' },
    });
    await expect(
      client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }] }),
    ).rejects.toMatchObject({ status: 400, error: { code: 'API_BODY_INVALID' } });
    await expect(client.chat.completions.create({ model: 'assistant', messages: [] })).rejects.toMatchObject({ status: 400 });
    const anonymous = new OpenAI({ apiKey: 'trl_notakey', baseURL: `${server.url}/v1`, maxRetries: 0 });
    await expect(anonymous.models.list()).rejects.toMatchObject({ status: 401, error: { code: 'AUTH_INVALID' } });
  });
});
