import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';
import { RETRIEVAL_ONLY_NOTICE } from '../../../core/models/select-chat-model.js';
import { createRuntime } from '../../../runtime/create-runtime.js';
import { closedPort } from '../../helpers/closed-port.js';
import { sharedModel } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

const stories = sharedModel('stories260K', 'stories260K.gguf');
const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
});

async function runtimeWith(overrides: Parameters<typeof createTestRuntime>[0]) {
  const runtime = await createTestRuntime(overrides);
  disposers.push(() => runtime.dispose());
  return runtime;
}

describe('createRuntime', () => {
  it('opens the database under the data dir and keeps its instance id across restarts', async () => {
    const temp = makeTempDir();
    try {
      const config = loadConfig({ env: {}, cwd: temp.dir, overrides: { dataDir: temp.dir, models: { chat: { provider: 'none' } } } });
      const first = await createRuntime({ config, generateId: () => 'instance-a' });
      expect(first.db.name).toBe(path.join(temp.dir, 'trellis.db'));
      await first.stop();
      await first.stop();
      const second = await createRuntime({ config, generateId: () => 'instance-b' });
      expect(second.instanceId).toBe('instance-a');
      await second.stop();
    } finally {
      temp.remove();
    }
  });

  it('reports readiness: database ok, retrieval-only degraded, embedder not loaded yet', async () => {
    const runtime = await runtimeWith({});
    expect(await runtime.readiness()).toEqual([
      { name: 'database', state: 'ok', detail: runtime.db.name },
      { name: 'checkpoints', state: 'ok', detail: expect.stringContaining('checkpoints.db') },
      { name: 'chat model', state: 'degraded', detail: 'retrieval-only mode', hint: RETRIEVAL_ONLY_NOTICE },
      { name: 'embedder', state: 'ok', detail: 'bge-small-en-v1.5: not-loaded' },
      { name: 'reranker', state: 'ok', detail: 'disabled' },
      { name: 'vector store', state: 'ok', detail: 'off (keyword retrieval only)' },
    ]);
  });

  it('loads the configured embedder on first use and reports it', async () => {
    const runtime = await runtimeWith({ models: { embedding: { path: sharedModel('glove-6B-100d-60k-onnx') } } });
    const embedder = await runtime.models.embedder.get();
    expect(embedder.dimensions).toBe(100);
    expect(runtime.models.embedder.status()).toMatchObject({ state: 'loaded', dimensions: 100 });
  });

  it('reports a missing catalogue embedder as degraded with the pull command, and does not crash', async () => {
    const runtime = await runtimeWith({ models: { mirror: `http://127.0.0.1:${await closedPort()}/` } });
    await expect(runtime.models.embedder.get()).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    const check = (await runtime.readiness()).find((entry) => entry.name === 'embedder');
    expect(check).toMatchObject({ state: 'degraded', detail: 'bge-small-en-v1.5: MODEL_UNAVAILABLE' });
    expect(check?.hint).toContain('trellis models pull bge-small-en-v1.5');
  });
});

describe('chat model selection', () => {
  it('auto with nothing configured is retrieval-only mode, never a crash', async () => {
    const runtime = await runtimeWith({});
    expect(runtime.models.chat).toEqual({ mode: 'retrieval-only', notice: RETRIEVAL_ONLY_NOTICE });
  });

  it('auto prefers an OpenAI key, then an Anthropic key', async () => {
    const openai = await runtimeWith({ providers: { openai: { apiKey: 'sk-test' }, anthropic: { apiKey: 'ak' } } });
    expect(openai.models.chat).toMatchObject({ mode: 'model', provider: 'openai-compatible', modelId: 'gpt-4o-mini' });
    const anthropic = await runtimeWith({ providers: { anthropic: { apiKey: 'ak' } } });
    expect(anthropic.models.chat).toMatchObject({ mode: 'model', provider: 'anthropic', modelId: 'claude-sonnet-4-5' });
  });

  it('auto uses the default local GGUF when it is in the models dir, and it answers', async () => {
    const temp = makeTempDir();
    disposers.push(async () => temp.remove());
    const folder = path.join(temp.dir, 'qwen2.5-0.5b-instruct');
    mkdirSync(folder);
    // The real default is a 491 MB download; the tiny shared GGUF stands in for it under the catalogue's file name.
    symlinkSync(stories, path.join(folder, 'qwen2.5-0.5b-instruct-q4_k_m.gguf'));
    const runtime = await runtimeWith({ models: { dir: temp.dir, chat: { maxTokens: 8 } } });
    expect(runtime.models.chat).toMatchObject({ mode: 'model', provider: 'llama-cpp', modelId: 'qwen2.5-0.5b-instruct' });
    if (runtime.models.chat.mode !== 'model') throw new Error('unreachable');
    const reply = await runtime.models.chat.model.invoke('Once upon a time');
    expect(reply.text.length).toBeGreaterThan(0);
  });

  it('an explicit local model that is missing fails start-up with the pull command', async () => {
    await expect(runtimeWith({ models: { chat: { provider: 'llama-cpp' } } })).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      hint: expect.stringContaining('trellis models pull qwen2.5-0.5b-instruct'),
    });
  });

  it('an explicit .gguf path is used as it is', async () => {
    const runtime = await runtimeWith({ models: { chat: { provider: 'llama-cpp', model: stories } } });
    expect(runtime.models.chat).toMatchObject({ mode: 'model', provider: 'llama-cpp', modelId: stories });
  });

  it('scripted needs a script file, and plays it', async () => {
    await expect(runtimeWith({ models: { chat: { provider: 'scripted' } } })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const temp = makeTempDir();
    disposers.push(async () => temp.remove());
    const script = path.join(temp.dir, 'script.json');
    writeFileSync(script, JSON.stringify([{ text: 'scripted hello' }]));
    const runtime = await runtimeWith({ models: { chat: { provider: 'scripted', scriptPath: script } } });
    if (runtime.models.chat.mode !== 'model') throw new Error('expected a model');
    expect((await runtime.models.chat.model.invoke('hi')).text).toBe('scripted hello');
  });
});

describe('the OpenAI-compatible chat provider on the wire', () => {
  let requests: { url: string; authorization: string | undefined; body: Record<string, unknown> }[] = [];
  let baseUrl = '';
  const server = createServer(async (request: IncomingMessage, response) => {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    requests.push({ url: request.url ?? '', authorization: request.headers.authorization, body: JSON.parse(raw) });
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 0,
        model: 'served-model',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'hello from the server' } }],
        usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 },
      }),
    );
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the configured model, key and messages to the configured base URL', async () => {
    requests = [];
    const runtime = await runtimeWith({ models: { chat: { baseUrl, apiKey: 'local-key', model: 'qwen2.5:7b' } } });
    if (runtime.models.chat.mode !== 'model') throw new Error('expected a model');
    const reply = await runtime.models.chat.model.invoke('Say hello');
    expect(reply.text).toBe('hello from the server');
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 5, output_tokens: 4 });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      url: '/v1/chat/completions',
      authorization: 'Bearer local-key',
      body: { model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Say hello' }] },
    });
  });
});
