import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import { createLlamaCppChatModel, type ChatLlamaCpp } from '../../../core/models/llama-cpp.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// A 260K-parameter TinyStories Llama: not instruction tuned, it only babbles stories, which is enough for plumbing.
const modelPath = path.resolve(repoRoot, '../shared/models/stories260K/stories260K.gguf');

const weatherSchema = z.object({
  city: z.string().describe('City name'),
  unit: z.enum(['c', 'f']).describe('Temperature unit'),
});
const getWeather = tool(async ({ city, unit }) => `20 ${unit} in ${city}`, {
  name: 'get_weather',
  description: 'Current weather in a city',
  schema: weatherSchema,
});

describe('ChatLlamaCpp (stories260K)', () => {
  let model: ChatLlamaCpp;

  beforeAll(() => {
    model = createLlamaCppChatModel({ modelPath, threads: 1, maxTokens: 24, contextSize: 512 });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('invoke returns text with its token usage and finish reason', async () => {
    const message = await model.invoke([new SystemMessage('You tell stories.'), new HumanMessage('Once upon a time')]);

    expect(message.text.length).toBeGreaterThan(0);
    expect(message.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(message.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(message.response_metadata).toMatchObject({ model_name: 'stories260K', finish_reason: expect.any(String) });
  });

  it('stream yields several text chunks that add up to the whole answer', async () => {
    const texts: string[] = [];
    let whole: AIMessageChunk | undefined;
    for await (const chunk of await model.stream('Tom had a red ball.')) {
      if (chunk.text) texts.push(chunk.text);
      whole = whole ? whole.concat(chunk) : chunk;
    }

    expect(texts.length).toBeGreaterThan(1);
    expect(whole?.text).toBe(texts.join(''));
    expect(whole?.usage_metadata?.output_tokens).toBeGreaterThan(1);
  });

  it('abort after the first chunk stops generation early with MODEL_ABORTED', async () => {
    const long = createLlamaCppChatModel({ modelPath, threads: 1, maxTokens: 400, contextSize: 512 });
    const controller = new AbortController();
    const consume = async () => {
      for await (const chunk of await long.stream('Lily went to the park.', { signal: controller.signal })) {
        if (chunk.text) controller.abort();
      }
    };

    try {
      const error: unknown = await consume().then(() => undefined, (rejection: unknown) => rejection);
      expect(TrellisError.isInstance(error, 'MODEL_ABORTED')).toBe(true);
      expect((error as TrellisError).details.outputTokens).toBeLessThan(20);
      // The shared context is free again: a later call is not stuck behind the aborted one.
      const after = await long.invoke('Sam', { signal: AbortSignal.timeout(20_000) });
      expect(after.usage_metadata?.output_tokens).toBeGreaterThan(0);
    } finally {
      await long.dispose();
    }
  });

  it('a forced tool choice returns one tool call whose args pass the zod schema', async () => {
    const withTools = createLlamaCppChatModel({ modelPath, threads: 1, maxTokens: 200, contextSize: 512 });
    try {
      const message = await withTools
        .bindTools([getWeather], { tool_choice: 'get_weather' })
        .invoke('What is the weather in Paris?');

      expect(message.tool_calls).toHaveLength(1);
      const [call] = message.tool_calls ?? [];
      expect(call).toMatchObject({ name: 'get_weather', type: 'tool_call', id: expect.any(String) });
      expect(() => weatherSchema.parse(call?.args)).not.toThrow();
      expect(message.response_metadata).toMatchObject({ finish_reason: 'tool_calls' });
    } finally {
      await withTools.dispose();
    }
  });

  it('reads a history with tool calls and their results', async () => {
    const message = await model.invoke([
      new HumanMessage('Weather in Paris?'),
      new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Paris', unit: 'c' } }] }),
      new ToolMessage({ tool_call_id: 'call_1', content: '20 c in Paris' }),
    ]);

    expect(message.usage_metadata?.input_tokens).toBeGreaterThan(10);
  });

  it('an aborted invoke rejects with MODEL_ABORTED', async () => {
    const long = createLlamaCppChatModel({ modelPath, threads: 1, maxTokens: 400, contextSize: 512 });
    try {
      const error: unknown = await long
        .invoke('Lily went to the park.', { signal: AbortSignal.timeout(30) })
        .then(() => undefined, (rejection: unknown) => rejection);

      expect(TrellisError.isInstance(error, 'MODEL_ABORTED')).toBe(true);
      expect((error as TrellisError).details.outputTokens).toBeLessThan(400);
    } finally {
      await long.dispose();
    }
  });

  it('two models over one file share it and dispose independently', async () => {
    const other = createLlamaCppChatModel({ modelPath, threads: 1, maxTokens: 8, contextSize: 256 });
    await other.invoke('Ben');
    await other.dispose();

    const message = await model.invoke('Ben');

    expect(message.text.length).toBeGreaterThan(0);
  });

  it('serves two concurrent invokes', async () => {
    const [first, second] = await Promise.all([model.invoke('The cat'), model.invoke('The dog')]);

    expect(first.text.length).toBeGreaterThan(0);
    expect(second.text.length).toBeGreaterThan(0);
  });

  it('runs as a node of a LangGraph StateGraph', async () => {
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('answer', async (state: typeof MessagesAnnotation.State) => ({
        messages: [await model.invoke(state.messages)],
      }))
      .addEdge(START, 'answer')
      .addEdge('answer', END)
      .compile();

    const result = await graph.invoke({ messages: [new HumanMessage('A little bird')] });

    expect(result.messages).toHaveLength(2);
    expect(result.messages.at(-1)?.text.length).toBeGreaterThan(0);
  });
});
