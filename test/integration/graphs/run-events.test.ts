import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { Command, END, interrupt, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createScriptedChatModel } from '../../../core/models/scripted-chat-model.js';
import { RETRIEVAL_ONLY_NOTICE } from '../../../core/models/select-chat-model.js';
import { buildRagGraph } from '../../../graphs/rag.js';
import { streamRunEvents, type RunEvent } from '../../../graphs/run-events.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('streamRunEvents', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let corpus: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    corpus = makeTempDir();
    writeFileSync(path.join(corpus.dir, 'reset.md'), 'To reset your password, open Settings and choose Security.');
    runtime = await createTestRuntime();
    await runtime.knowledge.ingest({ tenantId: 't', kb: 'help', root: corpus.dir });
  });
  afterAll(async () => {
    await runtime.dispose();
    corpus.remove();
  });

  it('streams node, token and end events for the rag graph', async () => {
    const model = createScriptedChatModel({
      turns: [{ toolCalls: [{ name: 'grade_passages', args: { relevant: [1] } }] }, { text: 'Open Settings [1].' }],
    });
    const graph = buildRagGraph({ search: (request) => runtime.knowledge.search(request), model, notice: RETRIEVAL_ONLY_NOTICE }).compile({
      checkpointer: new MemorySaver(),
    });
    const events = await collect(
      streamRunEvents({
        graph,
        input: { kb: 'help', messages: [new HumanMessage('reset password')] },
        runId: '00000000-0000-4000-8000-000000000001',
        threadId: 'thread-1',
        config: { configurable: { tenantId: 't' } },
      }),
    );
    expect(events[0]).toEqual({ type: 'run-start', runId: '00000000-0000-4000-8000-000000000001', threadId: 'thread-1' });
    const nodes = events.filter((event) => event.type === 'node-start').map((event) => (event as { node: string }).node);
    expect(nodes).toEqual(['prepare', 'retrieve', 'grade', 'generate']);
    const tokens = events.filter((event) => event.type === 'token-delta' && event.node === 'generate');
    expect(tokens.map((event) => (event as { text: string }).text).join('')).toBe('Open Settings [1].');
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', answer: 'Open Settings [1].' });
  });

  it('streams tool calls and results, then an approval request, and resumes', async () => {
    const add = tool(async ({ a, b }) => String(a + b), { name: 'add', description: 'adds', schema: z.object({ a: z.number(), b: z.number() }) });
    const model = createScriptedChatModel({
      turns: [{ toolCalls: [{ name: 'add', args: { a: 1, b: 2 }, id: 'c1' }] }, { text: 'Three.' }],
    });
    const bound = model.bindTools([add]);
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('agent', async (state) => ({ messages: [await bound.invoke(state.messages)] }))
      .addNode('tools', new ToolNode([add]))
      .addNode('confirm', async () => {
        const answer = interrupt({ type: 'approval-request', question: 'send the answer?' });
        return { messages: [new HumanMessage(`confirmed: ${String(answer)}`)] };
      })
      .addEdge(START, 'agent')
      .addConditionalEdges('agent', toolsCondition, { tools: 'tools', [END]: 'confirm' })
      .addEdge('tools', 'agent')
      .addEdge('confirm', END)
      .compile({ checkpointer: new MemorySaver() });

    const first = await collect(streamRunEvents({ graph, input: { messages: [new HumanMessage('1+2?')] }, runId: '00000000-0000-4000-8000-000000000002', threadId: 't1' }));
    expect(first).toContainEqual({ type: 'tool-call', toolCallId: 'c1', name: 'add', args: { a: 1, b: 2 }, namespace: [] });
    expect(first).toContainEqual({ type: 'tool-result', toolCallId: 'c1', name: 'add', status: 'success', output: '3', namespace: [] });
    expect(first).toContainEqual(expect.objectContaining({ type: 'approval-request', value: { type: 'approval-request', question: 'send the answer?' } }));
    expect(first.at(-1)).toMatchObject({ type: 'run-end', status: 'interrupted' });

    const resumed = await collect(streamRunEvents({ graph, input: new Command({ resume: 'yes' }), runId: '00000000-0000-4000-8000-000000000003', threadId: 't1' }));
    expect(resumed.at(-1)).toMatchObject({ type: 'run-end', status: 'completed' });
    const end = resumed.at(-1);
    if (end?.type !== 'run-end') throw new Error('expected run-end');
    expect((end.state.messages as { text: string }[]).at(-1)?.text).toBe('confirmed: yes');
  });

  it('ends with run-error carrying the code and hint instead of throwing', async () => {
    const graph = buildRagGraph({ search: (request) => runtime.knowledge.search(request), notice: RETRIEVAL_ONLY_NOTICE }).compile({
      checkpointer: new MemorySaver(),
    });
    const events = await collect(
      streamRunEvents({
        graph,
        input: { kb: 'nope', messages: [new HumanMessage('x')] },
        runId: '00000000-0000-4000-8000-000000000004',
        threadId: 't',
        config: { configurable: { tenantId: 't' } },
      }),
    );
    expect(events.at(-1)).toMatchObject({ type: 'run-error', code: 'KB_NOT_FOUND', hint: expect.any(String) });
  });
});
