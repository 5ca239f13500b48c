import { AIMessage, type BaseMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createScriptedChatModel } from '../../../core/models/scripted-chat-model.js';

// The scripted model is the stand-in for a real LLM: this proves it drives LangGraph's own agent loop
// (model → tools → model) exactly as a provider model would, including checkpointed threads.
describe('a LangGraph tool loop driven by the scripted model', () => {
  const add = tool(async ({ a, b }) => String(a + b), {
    name: 'add',
    description: 'Adds two numbers',
    schema: z.object({ a: z.number(), b: z.number() }),
  });

  function buildGraph(model: ReturnType<typeof createScriptedChatModel>) {
    const bound = model.bindTools([add]);
    return new StateGraph(MessagesAnnotation)
      .addNode('agent', async (state) => ({ messages: [await bound.invoke(state.messages)] }))
      .addNode('tools', new ToolNode([add]))
      .addEdge(START, 'agent')
      .addConditionalEdges('agent', toolsCondition, ['tools', END])
      .addEdge('tools', 'agent')
      .compile({ checkpointer: new MemorySaver() });
  }

  it('calls the tool, feeds the result back and answers', async () => {
    const model = createScriptedChatModel({
      turns: [
        { toolCalls: [{ name: 'add', args: { a: 2, b: 40 }, id: 'call-1' }] },
        ({ messages }) => ({ text: `The sum is ${messages.at(-1)!.text}.` }),
      ],
    });
    const graph = buildGraph(model);
    const result = await graph.invoke({ messages: [{ role: 'user', content: 'add 2 and 40' }] }, { configurable: { thread_id: 't1' } });
    const messages: BaseMessage[] = result.messages;
    expect(messages.map((message) => message.getType())).toEqual(['human', 'ai', 'tool', 'ai']);
    expect((messages[2] as ToolMessage).content).toBe('42');
    expect((messages[2] as ToolMessage).tool_call_id).toBe('call-1');
    expect(messages[3]!.text).toBe('The sum is 42.');
    expect(model.calls).toHaveLength(2);
    expect(model.calls[1]!.messages.map((message) => message.getType())).toEqual(['human', 'ai', 'tool']);
  });

  it('returns invalid tool arguments to the model as an error message instead of crashing the graph', async () => {
    const model = createScriptedChatModel({
      turns: [{ toolCalls: [{ name: 'add', args: { a: 'two' }, id: 'bad' }] }, { text: 'Sorry, let me fix that.' }],
    });
    const result = await buildGraph(model).invoke(
      { messages: [{ role: 'user', content: 'add' }] },
      { configurable: { thread_id: 't2' } },
    );
    const toolMessage = result.messages.find((message: BaseMessage) => message.getType() === 'tool') as ToolMessage;
    expect(toolMessage.status).toBe('error');
    expect(String(toolMessage.content)).toMatch(/a|b/);
    expect(result.messages.at(-1)).toBeInstanceOf(AIMessage);
  });

  it('keeps the conversation in the thread checkpoint across invocations', async () => {
    const model = createScriptedChatModel({ turns: [{ text: 'hello' }, { text: 'still here' }] });
    const graph = buildGraph(model);
    const config = { configurable: { thread_id: 't3' } };
    await graph.invoke({ messages: [{ role: 'user', content: 'hi' }] }, config);
    await graph.invoke({ messages: [{ role: 'user', content: 'again' }] }, config);
    expect(model.calls[1]!.messages.map((message) => message.text)).toEqual(['hi', 'hello', 'again']);
  });

  it('streams tokens through LangGraph', async () => {
    const model = createScriptedChatModel({ turns: [{ text: 'streamed reply here' }] });
    const stream = await buildGraph(model).stream(
      { messages: [{ role: 'user', content: 'go' }] },
      { configurable: { thread_id: 't4' }, streamMode: 'messages' },
    );
    const tokens: string[] = [];
    for await (const [chunk] of stream) tokens.push((chunk as BaseMessage).text);
    expect(tokens.filter(Boolean).join('')).toBe('streamed reply here');
    expect(tokens.filter(Boolean).length).toBeGreaterThan(1);
  });
});
