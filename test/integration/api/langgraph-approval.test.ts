import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { repoRoot } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collect, PROTOCOL_SCRIPT, protocolClient, userInput } from './langgraph-client.js';

type Message = { type: string; content: unknown; tool_calls?: { name: string; id: string }[]; status?: string };
type Values = { messages: Message[] };

// Files outside the repository import Trellis and zod by absolute path, as a user's folder elsewhere would.
const importPath = (...parts: string[]) => JSON.stringify(path.join(repoRoot, ...parts));

/** An agent with a tool that needs no network but a person's approval: approving it makes it run. */
function writeCounterAgent(toolsDir: string, agentsDir: string): void {
  writeFileSync(path.join(toolsDir, 'word-count.ts'), [
    `import { z } from ${importPath('node_modules', 'zod', 'index.js')};`,
    `import { defineTool } from ${importPath('tools', 'define-tool.ts')};`,
    'export default defineTool({',
    "  name: 'word_count',",
    "  description: 'Counts the words of a text.',",
    "  schema: z.object({ text: z.string().describe('The text to count the words of') }),",
    '  needsApproval: true,',
    '  execute: ({ text }) => ({ words: text.split(/\\s+/).filter(Boolean).length }),',
    '});',
  ].join('\n'));
  writeFileSync(path.join(agentsDir, 'counter.ts'), [
    `import { defineAgent } from ${importPath('agents', 'define-agent.ts')};`,
    'export default defineAgent({',
    "  name: 'counter',",
    "  description: 'Counts words.',",
    "  instructions: 'Count the words of what the user gives you with word_count.',",
    "  tools: ['word_count'],",
    '});',
  ].join('\n'));
}

const script = [
  { match: '^Count ', toolCalls: [{ name: 'word_count', args: { text: 'one two three' }, id: 'call-count' }] },
  { match: '"words"', text: 'There are 3 words.' },
  ...PROTOCOL_SCRIPT,
];

describe('the LangGraph SDK client through an approval interrupt, and a restart', () => {
  const data = makeTempDir('trellis-langgraph-data-');
  const extensions = { tools: makeTempDir('trellis-langgraph-tools-'), agents: makeTempDir('trellis-langgraph-agents-') };
  const overrides = { dataDir: data.dir, tools: { dir: extensions.tools.dir }, agents: { dir: extensions.agents.dir } };
  let server: ApiServer;
  let client: Client;
  let threadId: string;
  let countThreadId: string;
  let finalValues: Values;
  let historyLength: number;
  let runIds: string[];

  beforeAll(async () => {
    writeCounterAgent(extensions.tools.dir, extensions.agents.dir);
    server = await startApiServer({ script, overrides });
    client = protocolClient(server, server.keys.chat);
  });
  afterAll(async () => {
    await server.close();
    data.remove();
    extensions.tools.remove();
    extensions.agents.remove();
  });

  it('streams a run up to the approval request the agent stops at', async () => {
    const thread = await client.threads.create({ metadata: { user: 'ann' } });
    threadId = thread.thread_id;
    expect(thread).toMatchObject({ metadata: { user: 'ann' }, status: 'idle', values: {} });

    const parts = await collect(
      client.runs.stream(threadId, 'assistant', { input: userInput('Fetch https://example.com/ for me'), streamMode: ['values', 'updates'] }),
    );
    expect(parts[0]).toMatchObject({ event: 'metadata', data: { run_id: expect.any(String), thread_id: threadId } });
    const ids = parts.map((part) => Number(part.id));
    expect(ids.every((id, index) => index === 0 || id > ids[index - 1]!)).toBe(true);

    const interruptUpdate = parts.find((part) => part.event === 'updates' && '__interrupt__' in (part.data as object));
    expect(interruptUpdate?.data).toEqual({
      __interrupt__: [
        {
          id: expect.any(String),
          value: {
            type: 'approval-request',
            requests: [{ toolCallId: 'call-fetch', name: 'http_fetch', args: { url: 'https://example.com/' }, description: expect.any(String) }],
          },
        },
      ],
    });
    const agentUpdate = parts.find((part) => part.event === 'updates' && 'agent' in (part.data as object))!.data as { agent: Values };
    expect(agentUpdate.agent.messages[0]).toMatchObject({ type: 'ai', tool_calls: [{ name: 'http_fetch', id: 'call-fetch' }] });
    expect(parts.at(-1)).toMatchObject({ event: 'values', data: { __interrupt__: [{ value: { type: 'approval-request' } }] } });
  });

  it('shows the pending approval in the thread and its state', async () => {
    const state = await client.threads.getState<Values>(threadId);
    expect(state.next).toEqual(['approve']);
    expect(state.tasks).toEqual([
      expect.objectContaining({ name: 'approve', interrupts: [expect.objectContaining({ value: expect.objectContaining({ type: 'approval-request' }) })] }),
    ]);
    expect(state.values.messages.map((message) => message.type)).toEqual(['human', 'ai']);
    expect(state.checkpoint).toMatchObject({ thread_id: threadId, checkpoint_ns: '', checkpoint_id: expect.any(String) });

    const thread = await client.threads.get(threadId);
    expect(thread.status).toBe('interrupted');
    expect(Object.values(thread.interrupts).flat()).toEqual([expect.objectContaining({ value: expect.objectContaining({ type: 'approval-request' }) })]);
  });

  it('resumes with a rejection through command.resume, and the run completes', async () => {
    const parts = await collect(
      client.runs.stream(threadId, 'assistant', { command: { resume: { action: 'reject', reason: 'no network in tests' } }, streamMode: 'values' }),
    );
    expect(parts.map((part) => part.event)).not.toContain('error');
    finalValues = parts.at(-1)!.data as Values;
    expect(finalValues.messages.map((message) => message.type)).toEqual(['human', 'ai', 'tool', 'ai']);
    expect(finalValues.messages[2]).toMatchObject({ type: 'tool', status: 'error', content: expect.stringContaining('no network in tests') });
    expect(finalValues.messages[3]).toMatchObject({ type: 'ai', content: 'Understood: I did not fetch the page.' });
  });

  it('reads the finished thread back: state, history and runs', async () => {
    const state = await client.threads.getState<Values>(threadId);
    expect(state).toMatchObject({ next: [], tasks: [], values: finalValues });
    const history = await client.threads.getHistory<Values>(threadId, { limit: 50 });
    historyLength = history.length;
    expect(history[0]!.checkpoint.checkpoint_id).toBe(state.checkpoint.checkpoint_id);
    expect(history.some((snapshot) => snapshot.next.includes('approve'))).toBe(true);
    const older = await client.threads.getHistory(threadId, { limit: 2, before: { configurable: { checkpoint_id: history[0]!.checkpoint.checkpoint_id } } });
    expect(older.map((snapshot) => snapshot.checkpoint.checkpoint_id)).toEqual(history.slice(1, 3).map((snapshot) => snapshot.checkpoint.checkpoint_id));

    const runs = await client.runs.list(threadId);
    expect(runs.map((run) => run.status)).toEqual(['success', 'interrupted']);
    runIds = runs.map((run) => run.run_id);
    expect((await client.threads.get(threadId)).status).toBe('idle');
  });

  it('runs an approved tool, which needs no network, after the approval', async () => {
    const thread = await client.threads.create({ graphId: 'counter' });
    countThreadId = thread.thread_id;
    const interrupted = await client.runs.wait(countThreadId, 'counter', { input: userInput('Count the words in: one two three') });
    expect(interrupted).toMatchObject({ __interrupt__: [{ value: { requests: [{ name: 'word_count', toolCallId: 'call-count' }] } }] });
    const done = (await client.runs.wait(countThreadId, 'counter', { command: { resume: { action: 'approve' } } })) as Values;
    expect(done.messages.map((message) => message.type)).toEqual(['human', 'ai', 'tool', 'ai']);
    expect(JSON.parse(done.messages[2]!.content as string)).toMatchObject({ words: 3 });
    expect(done.messages[3]).toMatchObject({ content: 'There are 3 words.' });
  });

  it('keeps threads, state, history and runs across a server restart on the same data', async () => {
    await server.close();
    server = await startApiServer({ script, overrides });
    const restarted = protocolClient(server, server.createKey('acme', ['chat']));

    const thread = await restarted.threads.get<Values>(threadId);
    expect(thread).toMatchObject({ thread_id: threadId, metadata: { user: 'ann', graph_id: 'assistant' }, status: 'idle', values: finalValues });
    expect((await restarted.threads.getState<Values>(threadId)).values).toEqual(finalValues);
    expect(await restarted.threads.getHistory(threadId, { limit: 50 })).toHaveLength(historyLength);
    const runs = await restarted.runs.list(threadId);
    expect(runs.map((run) => [run.run_id, run.status])).toEqual([
      [runIds[0], 'success'],
      [runIds[1], 'interrupted'],
    ]);
    expect(await restarted.runs.get(threadId, runIds[0]!)).toMatchObject({ run_id: runIds[0], thread_id: threadId, status: 'success' });
    expect(await restarted.runs.join(threadId, runIds[0]!)).toEqual(finalValues);

    const counted = await restarted.threads.getState<Values>(countThreadId);
    expect(counted.values.messages).toHaveLength(4);
    const next = (await restarted.runs.wait(threadId, 'assistant', { input: userInput('Hi again') })) as Values;
    expect(next.messages.map((message) => message.type)).toEqual(['human', 'ai', 'tool', 'ai', 'human', 'ai']);
    expect(next.messages.at(-1)).toMatchObject({ content: 'Hello from Trellis.' });
  });
});
