import path from 'node:path';
import { HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { MemorySaver } from '@langchain/langgraph';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../../../agents/define-agent.js';
import { createLlamaCppChatModel } from '../../../core/models/llama-cpp.js';
import { buildReactGraph } from '../../../graphs/react.js';
import { defineTool } from '../../../tools/define-tool.js';
import { repoRoot } from '../../helpers/paths.js';
import { testLimits } from '../../helpers/tool-context.js';
import { contextFrom, openJournal } from './fixtures/react-setup.js';

// A 260K-parameter TinyStories Llama: it cannot choose a tool, but with tool_choice forcing one, llama.cpp's JSON
// schema grammar makes whatever it writes a schema-valid call, which proves the plumbing end to end. maxTokens
// covers the call's JSON (about 70 characters at roughly a token each), which 64 would cut off.
const modelPath = path.resolve(repoRoot, '../shared/models/stories260K/stories260K.gguf');

describe('react graph with a local GGUF model', () => {
  const model = createLlamaCppChatModel({ modelPath, threads: 1, maxTokens: 160, contextSize: 1024 });
  const { journal, close } = openJournal();
  afterAll(async () => {
    close();
    await model.dispose();
  });

  it('makes a forced, schema-valid tool call that the tools node runs', async () => {
    // Bounded on purpose: this model spends about a token per character, and free text or a number may run on until
    // maxTokens cuts the call off mid-JSON; the grammar lets an enum and a boolean only finish.
    const schema = z.object({
      city: z.enum(['Paris', 'Rome', 'Oslo']).describe('City name'),
      celsius: z.boolean().describe('Temperatures in Celsius rather than Fahrenheit'),
    });
    const received: unknown[] = [];
    const forecast = defineTool({
      name: 'weather_forecast',
      description: 'Forecasts the weather of a city.',
      schema,
      execute: (input) => (received.push(input), { city: input.city, sky: 'sunny' }),
    });
    const graph = buildReactGraph({
      agent: defineAgent({
        name: 'weather',
        description: 'Answers weather questions.',
        instructions: 'Use weather_forecast to answer.',
        tools: ['weather_forecast'],
      }),
      model,
      tools: [forecast],
      toolContext: contextFrom(),
      limits: testLimits,
      journal,
      toolChoice: 'weather_forecast',
      // The tiny model babbles; one turn after the tool result is enough to show the loop goes on.
      maxModelTurns: 2,
    }).compile({ checkpointer: new MemorySaver() });

    const result = await graph.invoke(
      { messages: [new HumanMessage('What is the weather in Paris for 3 days?')] },
      { configurable: { thread_id: 'gguf-1' } },
    );
    const messages: BaseMessage[] = result.messages;
    expect(messages[1]!.getType()).toBe('ai');
    const [call] = (messages[1] as { tool_calls?: { name: string; args: unknown; id?: string }[] }).tool_calls ?? [];
    expect(call).toMatchObject({ name: 'weather_forecast', id: expect.any(String) });
    expect(schema.safeParse(call!.args).success).toBe(true);
    expect(received).toEqual([call!.args]);
    expect(messages[2]).toBeInstanceOf(ToolMessage);
    expect(messages[2]).toMatchObject({ name: 'weather_forecast', status: 'success', tool_call_id: call!.id });
    expect(messages.length).toBeGreaterThanOrEqual(4);
  });
});
