import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { Command, END, MemorySaver, MessagesAnnotation, START, StateGraph, interrupt } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { createScriptedChatModel, type ScriptedChatModel } from '../../../core/models/scripted-chat-model.js';
import { buildSupervisorGraph, type SupervisorMember } from '../../../graphs/supervisor.js';

/** A member agent that answers with one scripted model turn, like a react agent without tools. */
function modelMember(name: string, description: string, model: ScriptedChatModel): SupervisorMember {
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
    .addEdge(START, 'agent')
    .addEdge('agent', END)
    .compile();
  return { name, description, graph };
}

/** A member that asks a person before it answers, as an agent with an approval-gated tool does. */
function approvalMember(): SupervisorMember & { readonly runs: { count: number } } {
  const runs = { count: 0 };
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('act', () => {
      runs.count += 1;
      const decision = interrupt<{ action: string }, string>({ action: 'refund 20 EUR' });
      return { messages: [new AIMessage(decision === 'approve' ? 'Refunded 20 EUR.' : 'Refund cancelled.')] };
    })
    .addEdge(START, 'act')
    .addEdge('act', END)
    .compile();
  return { name: 'refunds', description: 'Issues refunds after approval', graph, runs };
}

/** The member's answer, not its hand-back message (which carries its name too). */
const answerOf = (messages: readonly BaseMessage[], name: string) =>
  messages.findLast((message) => message.name === name && !(message as AIMessage).tool_calls?.length)!.text;
const config = (thread: string) => ({ configurable: { thread_id: thread, tenantId: 'acme' } });
const handoff = (member: string) => ({ toolCalls: [{ name: `transfer_to_${member}`, args: {} }] });

describe('buildSupervisorGraph', () => {
  it('routes to the member named by the handoff, and the member\'s answer flows back to the supervisor', async () => {
    const billingModel = createScriptedChatModel({ turns: [{ text: 'Your invoice was sent on 1 May.' }] });
    const searchModel = createScriptedChatModel({ turns: [] });
    const lead = createScriptedChatModel({
      turns: [handoff('billing'), ({ messages }) => ({ text: `Billing says: ${answerOf(messages, 'billing')}` })],
    });
    const graph = buildSupervisorGraph({
      supervisor: { name: 'lead', instructions: 'Route billing questions to billing.', model: lead },
      members: [modelMember('billing', 'Invoices and refunds', billingModel), modelMember('search', 'Web search', searchModel)],
    }).compile({ checkpointer: new MemorySaver() });

    const result = await graph.invoke({ messages: [new HumanMessage('Where is my invoice?')] }, config('s1'));

    expect(result.answer).toBe('Billing says: Your invoice was sent on 1 May.');
    expect(result.handoffs).toBe(1);
    expect(searchModel.calls).toHaveLength(0);
    expect(lead.calls[0]!.tools.map((tool) => tool.function.name)).toEqual(['transfer_to_billing', 'transfer_to_search']);
    // The member sees the conversation with the handoff; the supervisor then sees the member's named answer and hand-back.
    expect(billingModel.calls[0]!.messages.map((message) => message.getType())).toEqual(['human', 'ai', 'tool']);
    const messages: BaseMessage[] = result.messages;
    expect(messages.map((message) => [message.getType(), message.name ?? null])).toEqual([
      ['human', null],
      ['ai', 'lead'],
      ['tool', 'transfer_to_billing'],
      ['ai', 'billing'],
      ['ai', 'billing'],
      ['tool', 'transfer_back_to_lead'],
      ['ai', 'lead'],
    ]);
  });

  it('makes two handoffs in sequence before answering', async () => {
    const research = createScriptedChatModel({ turns: [{ text: 'Paris has 2.1 million people.' }] });
    const writer = createScriptedChatModel({ turns: [{ text: 'Paris: a city of 2.1 million.' }] });
    const lead = createScriptedChatModel({ turns: [handoff('research'), handoff('writer'), { text: 'Done: Paris: a city of 2.1 million.' }] });
    const graph = buildSupervisorGraph({
      supervisor: { name: 'lead', instructions: 'Research, then write.', model: lead },
      members: [modelMember('research', 'Finds facts', research), modelMember('writer', 'Writes copy', writer)],
    }).compile({ checkpointer: new MemorySaver() });

    const result = await graph.invoke({ messages: [new HumanMessage('Describe Paris')] }, config('s2'));

    expect(result.handoffs).toBe(2);
    expect(result.answer).toBe('Done: Paris: a city of 2.1 million.');
    // The writer works on the researcher's findings.
    expect(writer.calls[0]!.messages.map((message) => message.text)).toContain('Paris has 2.1 million people.');
  });

  it('stops a handoff loop after maxHandoffs and makes the supervisor answer without handoff tools', async () => {
    const echo = createScriptedChatModel({ turns: [{ text: 'Ask the lead.' }], loop: true });
    const lead = createScriptedChatModel({
      turns: [({ tools }) => (tools.length > 0 ? handoff('echo') : { text: 'I could not settle this; here is what I have.' })],
      loop: true,
    });
    const graph = buildSupervisorGraph({
      supervisor: { name: 'lead', instructions: 'Delegate everything.', model: lead },
      members: [modelMember('echo', 'Echoes', echo)],
      maxHandoffs: 2,
    }).compile({ checkpointer: new MemorySaver() });

    const result = await graph.invoke({ messages: [new HumanMessage('loop forever')] }, config('s3'));

    expect(echo.calls).toHaveLength(2);
    expect(lead.calls).toHaveLength(3);
    expect(lead.calls[2]!.tools).toEqual([]);
    expect(result.answer).toBe('I could not settle this; here is what I have.');
    // The budget is per user turn: the next turn may hand off again.
    await graph.invoke({ messages: [new HumanMessage('again')] }, config('s3'));
    expect(echo.calls).toHaveLength(4);
  });

  it('surfaces an interrupt inside a member to the caller and resumes inside that member', async () => {
    const member = approvalMember();
    const lead = createScriptedChatModel({
      turns: [handoff('refunds'), ({ messages }) => ({ text: `Result: ${answerOf(messages, 'refunds')}` })],
    });
    const graph = buildSupervisorGraph({
      supervisor: { name: 'lead', instructions: 'Send refund requests to refunds.', model: lead },
      members: [member],
    }).compile({ checkpointer: new MemorySaver() });

    const paused = await graph.invoke({ messages: [new HumanMessage('Refund my last order')] }, config('s4'));
    // invoke() returns the pending interrupts under __interrupt__, beside the state.
    expect((paused as { __interrupt__?: unknown }).__interrupt__).toEqual([expect.objectContaining({ value: { action: 'refund 20 EUR' } })]);
    expect(paused.answer).toBe('');
    const state = await graph.getState(config('s4'));
    expect(state.next).toEqual(['refunds']);
    expect(state.tasks.flatMap((task) => task.interrupts.map((pending) => pending.value))).toEqual([{ action: 'refund 20 EUR' }]);

    const resumed = await graph.invoke(new Command({ resume: 'approve' }), config('s4'));
    expect(resumed.answer).toBe('Result: Refunded 20 EUR.');
    // The supervisor is not asked again before the member finishes: its handoff is checkpointed.
    expect(lead.calls).toHaveLength(2);
    expect(member.runs.count).toBe(2);
  });

  it('streams the supervisor\'s final answer token by token', async () => {
    const billing = createScriptedChatModel({ turns: [{ text: 'Sent on 1 May.' }] });
    const lead = createScriptedChatModel({ turns: [handoff('billing'), { text: 'Your invoice was sent on 1 May.' }] });
    const graph = buildSupervisorGraph({
      supervisor: { name: 'lead', instructions: 'Route.', model: lead },
      members: [modelMember('billing', 'Invoices', billing)],
    }).compile({ checkpointer: new MemorySaver() });

    const stream = await graph.stream({ messages: [new HumanMessage('invoice?')] }, { ...config('s5'), streamMode: 'messages' });
    const byNode = new Map<string, string[]>();
    for await (const [chunk, metadata] of stream) {
      const node = String((metadata as { langgraph_node: string }).langgraph_node);
      if (chunk.getType() === 'ai' && chunk.text) byNode.set(node, [...(byNode.get(node) ?? []), chunk.text]);
    }
    const supervisorTokens = byNode.get('supervisor') ?? [];
    expect(supervisorTokens.length).toBeGreaterThan(1);
    expect(supervisorTokens.join('')).toBe('Your invoice was sent on 1 May.');
  });

  it('fails with GRAPH_STEP_FAILED naming the member when a member throws', async () => {
    const broken = new StateGraph(MessagesAnnotation)
      .addNode('act', (): { messages: BaseMessage[] } => {
        throw new Error('socket hang up');
      })
      .addEdge(START, 'act')
      .addEdge('act', END)
      .compile();
    const lead = createScriptedChatModel({ turns: [handoff('broken')] });
    const graph = buildSupervisorGraph({
      supervisor: { name: 'lead', instructions: 'Route.', model: lead },
      members: [{ name: 'broken', description: 'Fails', graph: broken }],
    }).compile({ checkpointer: new MemorySaver() });

    await expect(graph.invoke({ messages: [new HumanMessage('go')] }, config('s6'))).rejects.toMatchObject({
      code: 'GRAPH_STEP_FAILED',
      message: 'member agent broken failed: socket hang up',
    });
  });

  it('rejects member names that cannot be node and tool names, with a code', () => {
    const model = createScriptedChatModel({ turns: [] });
    const build = (name: string) =>
      buildSupervisorGraph({ supervisor: { name: 'lead', instructions: '', model }, members: [modelMember(name, 'x', model)] });
    expect(() => build('Billing Team')).toThrow(expect.objectContaining({ code: 'GRAPH_DEFINITION_INVALID' }));
    expect(() => build('supervisor')).toThrow(expect.objectContaining({ code: 'GRAPH_DEFINITION_INVALID' }));
    expect(() => build('answer')).toThrow(expect.objectContaining({ code: 'GRAPH_DEFINITION_INVALID' }));
    expect(() => build('travel-desk')).not.toThrow();
  });
});
