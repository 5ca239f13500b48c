import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { END, MessagesAnnotation, START, StateGraph, type BaseCheckpointSaver, type StateSnapshot } from '@langchain/langgraph';
import { afterAll, describe, expect, it } from 'vitest';
import { createCheckpointer, type Checkpointer } from '../../../core/checkpointer.js';
import { silentLogger } from '../../../core/logger.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const temp = makeTempDir('trellis-time-travel-');
afterAll(() => temp.remove());

/** One node that answers every human turn deterministically, so each checkpoint's state can be asserted exactly. */
function buildEchoGraph(saver: BaseCheckpointSaver) {
  return new StateGraph(MessagesAnnotation)
    .addNode('reply', function reply(state) {
      return { messages: [new AIMessage(`echo: ${String(state.messages.at(-1)?.content)}`)] };
    })
    .addEdge(START, 'reply')
    .addEdge('reply', END)
    .compile({ checkpointer: saver });
}

const texts = (messages: readonly BaseMessage[]) => messages.map((message) => `${message.getType()}: ${String(message.content)}`);
const messagesOf = (snapshot: StateSnapshot) => texts((snapshot.values as typeof MessagesAnnotation.State).messages);

async function openSqlite(dataDir: string): Promise<Checkpointer> {
  return createCheckpointer({ settings: { provider: 'sqlite', schema: 'public' }, dataDir, logger: silentLogger });
}

async function historyOf(graph: ReturnType<typeof buildEchoGraph>, threadId: string): Promise<StateSnapshot[]> {
  const history: StateSnapshot[] = [];
  for await (const snapshot of graph.getStateHistory({ configurable: { thread_id: threadId } })) history.push(snapshot);
  return history;
}

describe('time travel on the SQLite checkpointer', () => {
  it('forks a thread from an earlier checkpoint; the original checkpoints stay as they were', async () => {
    const checkpointer = await openSqlite(`${temp.dir}/fork`);
    const graph = buildEchoGraph(checkpointer.saver);
    const thread = { configurable: { thread_id: 'thread-fork' } };
    for (const text of ['one', 'two', 'three']) await graph.invoke({ messages: [new HumanMessage(text)] }, thread);
    const original = await graph.getState(thread);
    expect(messagesOf(original)).toEqual(['human: one', 'ai: echo: one', 'human: two', 'ai: echo: two', 'human: three', 'ai: echo: three']);

    // Newest first; per turn three checkpoints: the `input`, then a `loop` one after each step (START, `reply`).
    const history = await historyOf(graph, 'thread-fork');
    expect(history.map((snapshot) => snapshot.metadata?.source)).toEqual(['loop', 'loop', 'input', 'loop', 'loop', 'input', 'loop', 'loop', 'input']);
    // The end of the 2nd turn: the point to go back to.
    const afterTwo = history.find((snapshot) => snapshot.metadata?.source === 'loop' && messagesOf(snapshot).length === 4)!;
    expect(messagesOf(afterTwo)).toEqual(['human: one', 'ai: echo: one', 'human: two', 'ai: echo: two']);

    // Invoking with a checkpoint_id continues from that checkpoint: a new branch whose parent is the old one.
    await graph.invoke({ messages: [new HumanMessage('three, differently')] }, afterTwo.config);
    const fork = await graph.getState(thread);
    expect(messagesOf(fork)).toEqual([
      ...messagesOf(afterTwo),
      'human: three, differently',
      'ai: echo: three, differently',
    ]);
    expect(fork.config.configurable?.checkpoint_id).not.toBe(original.config.configurable?.checkpoint_id);

    // The original branch is intact: its head still reads the same, and every old checkpoint is still listed.
    expect(messagesOf(await graph.getState(original.config))).toEqual(messagesOf(original));
    const after = await historyOf(graph, 'thread-fork');
    expect(after).toHaveLength(history.length + 3);
    const ids = after.map((snapshot) => snapshot.config.configurable?.checkpoint_id);
    for (const snapshot of history) expect(ids).toContain(snapshot.config.configurable?.checkpoint_id);

    await checkpointer.close();
  });

  it('editing the past with updateState also forks, leaving the checkpoint it started from untouched', async () => {
    const checkpointer = await openSqlite(`${temp.dir}/update`);
    const graph = buildEchoGraph(checkpointer.saver);
    const thread = { configurable: { thread_id: 'thread-update' } };
    for (const text of ['one', 'two']) await graph.invoke({ messages: [new HumanMessage(text)] }, thread);
    const afterOne = (await historyOf(graph, 'thread-update')).find((s) => s.metadata?.source === 'loop' && messagesOf(s).length === 2)!;

    const edited = await graph.updateState(afterOne.config, { messages: [new HumanMessage('two, edited')] }, '__start__');
    await graph.invoke(null, edited);
    expect(messagesOf(await graph.getState(thread))).toEqual(['human: one', 'ai: echo: one', 'human: two, edited', 'ai: echo: two, edited']);
    expect(messagesOf(await graph.getState(afterOne.config))).toEqual(['human: one', 'ai: echo: one']);

    await checkpointer.close();
  });

  it('survives a restart: a new checkpointer on the same file returns the same state and continues the thread', async () => {
    const dataDir = `${temp.dir}/restart`;
    const thread = { configurable: { thread_id: 'thread-restart' } };
    const before = await openSqlite(dataDir);
    await buildEchoGraph(before.saver).invoke({ messages: [new HumanMessage('remember me')] }, thread);
    const stateBefore = await buildEchoGraph(before.saver).getState(thread);
    await before.close();

    const after = await openSqlite(dataDir);
    const graph = buildEchoGraph(after.saver);
    const stateAfter = await graph.getState(thread);
    expect(messagesOf(stateAfter)).toEqual(['human: remember me', 'ai: echo: remember me']);
    expect(stateAfter.config.configurable?.checkpoint_id).toBe(stateBefore.config.configurable?.checkpoint_id);
    await graph.invoke({ messages: [new HumanMessage('again')] }, thread);
    expect(messagesOf(await graph.getState(thread))).toHaveLength(4);

    await after.deleteThread('thread-restart');
    expect((await graph.getState(thread)).values).toEqual({});
    await after.close();
  });
});
