import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { Command, END, interrupt, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCheckpointer, type Checkpointer } from '../../../core/checkpointer.js';
import { silentLogger } from '../../../core/logger.js';
import { TemporaryThreadsSaver } from '../../../core/temporary-threads-saver.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/** A parent graph whose `member` node is a subgraph that asks a person before it answers: checkpoints in two namespaces. */
function buildGraph() {
  const member = new StateGraph(MessagesAnnotation)
    .addNode('ask', (state) => {
      const decision = interrupt<{ question: string }, string>({ question: 'May I answer?' });
      return { messages: [new AIMessage(`${decision}: ${state.messages.length} messages seen`)] };
    })
    .addEdge(START, 'ask')
    .addEdge('ask', END)
    .compile();
  return new StateGraph(MessagesAnnotation)
    .addNode('greet', () => ({ messages: [new AIMessage('Hello')] }))
    .addNode('member', member)
    .addEdge(START, 'greet')
    .addEdge('greet', 'member')
    .addEdge('member', END);
}

const countRows = (checkpointer: Checkpointer, threadId: string) => {
  const rows: unknown[] = [];
  return (async () => {
    for await (const tuple of checkpointer.saver.list({ configurable: { thread_id: threadId } })) rows.push(tuple);
    return rows.length;
  })();
};

// `.ci/run` starts the machine's PostgreSQL and sets this: the durable side is then also tried on Postgres, whose
// saver stores channel values apart from checkpoints (what `keep` must hand it all of).
const postgresUrl = process.env.TRELLIS_TEST_POSTGRES_URL;

/** A durable checkpointer of the provider, and how to remove all it made. */
async function openDurable(provider: 'sqlite' | 'postgres'): Promise<{ checkpointer: Checkpointer; remove(): Promise<void> }> {
  if (provider === 'sqlite') {
    const temp = makeTempDir('trellis-temporary-threads-');
    const checkpointer = await createCheckpointer({ settings: { provider: 'sqlite', schema: 'public' }, dataDir: temp.dir, logger: silentLogger });
    return { checkpointer, remove: async () => temp.remove() };
  }
  const schema = `temporary_threads_${randomBytes(4).toString('hex')}`;
  const checkpointer = await createCheckpointer({ settings: { provider: 'postgres', url: postgresUrl, schema }, dataDir: '/nonexistent', logger: silentLogger });
  return {
    checkpointer,
    async remove() {
      const { Client } = createRequire(import.meta.url)('pg') as { Client: new (config: { connectionString: string }) => { connect(): Promise<void>; query(text: string): Promise<unknown>; end(): Promise<void> } };
      const client = new Client({ connectionString: postgresUrl! });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

describe.each(postgresUrl ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const))('TemporaryThreadsSaver over %s', (provider) => {
  let opened: Awaited<ReturnType<typeof openDurable>>;
  let durable: Checkpointer;
  let saver: TemporaryThreadsSaver;

  beforeEach(async () => {
    opened = await openDurable(provider);
    durable = opened.checkpointer;
    saver = new TemporaryThreadsSaver(durable.saver);
  });
  afterEach(async () => {
    await durable.close();
    await opened.remove();
  });

  it('writes nothing to the durable store for a held thread, and forgets it on discard', async () => {
    const graph = buildGraph().compile({ checkpointer: saver });
    saver.hold('t-discard');
    const config = { configurable: { thread_id: 't-discard' } };
    const result = (await graph.invoke({ messages: [new HumanMessage('Hi')] }, config)) as { __interrupt__?: unknown[] };
    expect(result.__interrupt__).toHaveLength(1);
    expect((await graph.getState(config)).next).toEqual(['member']);
    expect(await countRows(durable, 't-discard')).toBe(0);

    saver.discard('t-discard');
    expect(saver.holds('t-discard')).toBe(false);
    expect((await graph.getState(config)).values).toEqual({});
  });

  it('keeps a held thread that waits for a person: a graph on the durable store alone resumes it where it stopped', async () => {
    const temporary = buildGraph().compile({ checkpointer: saver });
    saver.hold('t-keep');
    const config = { configurable: { thread_id: 't-keep' } };
    await temporary.invoke({ messages: [new HumanMessage('Hi')] }, { ...config, durability: 'exit' } as never);
    await saver.keep('t-keep');
    expect(saver.holds('t-keep')).toBe(false);
    expect(await countRows(durable, 't-keep')).toBeGreaterThan(0);

    // As after a restart: nothing in memory, the graph compiled on the durable saver itself.
    const restarted = buildGraph().compile({ checkpointer: durable.saver });
    const waiting = await restarted.getState(config, { subgraphs: true });
    expect(waiting.next).toEqual(['member']);
    expect(waiting.tasks[0]!.interrupts.map((pending) => pending.value)).toEqual([{ question: 'May I answer?' }]);
    const resumed = await restarted.invoke(new Command({ resume: 'Yes' }), config);
    expect(resumed.messages.map((message: { text: string }) => message.text)).toEqual(['Hi', 'Hello', 'Yes: 2 messages seen']);
  });

  it('leaves threads it does not hold to the durable saver', async () => {
    const graph = buildGraph().compile({ checkpointer: saver });
    const config = { configurable: { thread_id: 't-durable' } };
    await graph.invoke({ messages: [new HumanMessage('Hi')] }, config);
    expect(await countRows(durable, 't-durable')).toBeGreaterThan(0);
    await saver.deleteThread('t-durable');
    expect(await countRows(durable, 't-durable')).toBe(0);
  });
});
