import { HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { MemorySaver } from '@langchain/langgraph';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../../../agents/define-agent.js';
import supervisor from '../../../agents/supervisor.js';
import { createScriptedChatModel, type ScriptedChatModelOptions } from '../../../core/models/scripted-chat-model.js';
import { buildReactGraph, reactRecursionLimit, type ReactGraphOptions } from '../../../graphs/react.js';
import calculator from '../../../tools/calculator.js';
import { defineTool } from '../../../tools/define-tool.js';
import { testLimits } from '../../helpers/tool-context.js';
import { approvalInterrupts, contextFrom, openJournal } from './fixtures/react-setup.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const agent = defineAgent({ name: 'math', description: 'Does sums.', instructions: 'Use the calculator.', tools: ['calculator'] });

function build(turns: ScriptedChatModelOptions['turns'], options: Partial<ReactGraphOptions> = {}) {
  const { journal, close } = openJournal();
  cleanups.push(close);
  // Looping, so a single responder can play every turn.
  const model = createScriptedChatModel({ turns, loop: turns.length === 1 });
  const graph = buildReactGraph({ agent, model, tools: [calculator], toolContext: contextFrom(), limits: testLimits, journal, ...options })
    .compile({ checkpointer: new MemorySaver() });
  return { graph, model, journal };
}

const run = (graph: ReturnType<typeof build>['graph'], text = 'what is 6 times 7?', thread = 't1') =>
  graph.invoke({ messages: [new HumanMessage(text)] }, { configurable: { thread_id: thread }, recursionLimit: reactRecursionLimit() });

const toolMessages = (messages: readonly BaseMessage[]) => messages.filter((message) => ToolMessage.isInstance(message)) as ToolMessage[];

describe('buildReactGraph', () => {
  it('gives the model the instructions and tools, runs the call and feeds the result back', async () => {
    const { graph, model, journal } = build([
      { toolCalls: [{ name: 'calculator', args: { expression: '6 * 7' }, id: 'c1' }] },
      ({ messages }) => ({ text: `It is ${messages.at(-1)!.text}` }),
    ]);
    const result = await run(graph);
    expect(result.messages.map((message: BaseMessage) => message.getType())).toEqual(['human', 'ai', 'tool', 'ai']);
    expect(toolMessages(result.messages)[0]).toMatchObject({ name: 'calculator', status: 'success', tool_call_id: 'c1' });
    expect(model.calls[0]!.messages.map((message) => message.getType())).toEqual(['system', 'human']);
    expect(model.calls[0]!.messages[0]!.text).toBe('Use the calculator.');
    expect(model.calls[0]!.tools.map((tool) => tool.function.name)).toEqual(['calculator']);
    expect(journal.lookup('t1', 'c1')).toMatchObject({ status: 'finished', tool: 'calculator', result: { ok: true } });
  });

  it('returns invalid arguments and unknown tools to the model as error results, in call order', async () => {
    const { graph, model } = build([
      { toolCalls: [
        { name: 'calculator', args: { expression: '' }, id: 'bad-args' },
        { name: 'web_search', args: { q: 'x' }, id: 'no-tool' },
      ] },
      { text: 'Let me fix that.' },
    ]);
    const result = await run(graph);
    const [invalid, unknown] = toolMessages(result.messages);
    expect(invalid).toMatchObject({ tool_call_id: 'bad-args', status: 'error', name: 'calculator' });
    expect(invalid!.text).toMatch(/^Error TOOL_INPUT_INVALID: invalid arguments for calculator: expression: .*\n- expression: /);
    expect(unknown).toMatchObject({ tool_call_id: 'no-tool', status: 'error', name: 'web_search' });
    expect(unknown!.text).toMatch(/^Error TOOL_NOT_FOUND: agent math has no tool web_search; its tools: calculator/);
    expect(model.calls[1]!.messages.slice(-2).map((message) => message.text)).toEqual([invalid!.text, unknown!.text]);
    expect(result.messages.at(-1)!.text).toBe('Let me fix that.');
  });

  it('stops with a final message after maxModelTurns turns of tool calls', async () => {
    const { graph, model } = build(
      [({ index }) => ({ toolCalls: [{ name: 'calculator', args: { expression: `${index} + 1` }, id: `loop-${index}` }] })],
      { maxModelTurns: 3 },
    );
    const result = await run(graph);
    expect(model.calls).toHaveLength(3);
    expect(toolMessages(result.messages)).toHaveLength(3);
    expect(result.messages.at(-1)).toMatchObject({ response_metadata: { finish_reason: 'max_turns' } });
    expect(result.messages.at(-1)!.text).toMatch(/^I stopped after 3 steps/);
  });

  it('reaches the default cap of 12 turns within reactRecursionLimit()', async () => {
    const { graph, model } = build([({ index }) => ({ toolCalls: [{ name: 'calculator', args: { expression: '1 + 1' }, id: `d-${index}` }] })]);
    const result = await run(graph);
    expect(model.calls).toHaveLength(12);
    expect(result.messages.at(-1)).toMatchObject({ response_metadata: { finish_reason: 'max_turns' } });
  });

  it('counts turns per user message, so a thread can go on after a stop', async () => {
    const loop = ({ index }: { index: number }) =>
      index === 3 ? { text: 'finally' } : { toolCalls: [{ name: 'calculator', args: { expression: '1 + 1' }, id: `t-${index}` }] };
    const { graph } = build([loop], { maxModelTurns: 2 });
    await run(graph, 'first');
    const second = await run(graph, 'go on');
    expect(second.messages.at(-1)!.text).toBe('finally');
  });

  it('gives a call whose id repeats in the thread a new id, so a restarted counter never reuses a journaled result', async () => {
    const { journal, close } = openJournal();
    cleanups.push(close);
    const checkpointer = new MemorySaver();
    const ranWith: string[] = [];
    const echo = defineTool({
      name: 'echo', description: 'Echoes.', schema: z.object({ text: z.string() }),
      execute: ({ text }) => (ranWith.push(text), text),
    });
    // Two processes' worth of scripted models: both number their first call call_0_0.
    const graphFor = (text: string) => buildReactGraph({
      agent: defineAgent({ ...agent, tools: ['echo'] }),
      model: createScriptedChatModel({ turns: [{ toolCalls: [{ name: 'echo', args: { text } }] }, { text: 'ok' }] }),
      tools: [echo], toolContext: contextFrom(), limits: testLimits, journal,
    }).compile({ checkpointer });
    await run(graphFor('first'), 'one');
    const second = await run(graphFor('second'), 'two');
    expect(ranWith).toEqual(['first', 'second']);
    const ids = toolMessages(second.messages).map((message) => message.tool_call_id);
    expect(ids).toEqual(['call_0_0', expect.stringMatching(/^call_0_0-[0-9a-f]{8}$/)]);
    expect(toolMessages(second.messages).map((message) => message.text)).toEqual(['first', 'second']);
  });

  it('forces toolChoice on the first turn after a user message only', async () => {
    const { graph, model } = build(
      [{ toolCalls: [{ name: 'calculator', args: { expression: '1 + 2' }, id: 'f1' }] }, { text: '3' }],
      { toolChoice: 'calculator' },
    );
    await run(graph);
    expect(model.calls.map((call) => call.toolChoice)).toEqual(['calculator', undefined]);
  });

  it('runs an agent without tools as a plain model turn', async () => {
    const { journal, close } = openJournal();
    cleanups.push(close);
    const model = createScriptedChatModel({ turns: [{ text: 'I will ask the researcher.' }] });
    const graph = buildReactGraph({ agent: supervisor, model, tools: [], toolContext: contextFrom(), limits: testLimits, journal })
      .compile({ checkpointer: new MemorySaver() });
    const result = await run(graph, 'hi');
    expect(result.messages.at(-1)!.text).toBe('I will ask the researcher.');
    expect(model.calls[0]!.tools).toEqual([]);
  });

  it('asks for approval per input when needsApproval is a predicate', async () => {
    const transfer = defineTool({
      name: 'transfer',
      description: 'Moves money.',
      schema: z.object({ amount: z.number() }),
      needsApproval: ({ amount }) => amount > 100,
      execute: ({ amount }) => ({ moved: amount }),
    });
    const { journal, close } = openJournal();
    cleanups.push(close);
    const model = createScriptedChatModel({
      turns: [
        { toolCalls: [{ name: 'transfer', args: { amount: 5 }, id: 'small' }, { name: 'transfer', args: { amount: 500 }, id: 'large' }] },
        { text: 'ok' },
      ],
    });
    const graph = buildReactGraph({
      agent: defineAgent({ ...agent, tools: ['transfer'] }), model, tools: [transfer], toolContext: contextFrom(), limits: testLimits, journal,
    }).compile({ checkpointer: new MemorySaver() });
    const paused = await run(graph);
    expect(approvalInterrupts(paused)[0]!.requests.map((request) => request.toolCallId)).toEqual(['large']);
  });

  it('wraps model failures as TrellisErrors with their code', async () => {
    const { graph } = build([{ error: { message: 'provider down' } }]);
    await expect(run(graph)).rejects.toMatchObject({ code: 'MODEL_CALL_FAILED', message: 'provider down' });
  });
});
