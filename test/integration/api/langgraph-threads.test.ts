import { randomUUID } from 'node:crypto';
import type { Client } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { collect, PROTOCOL_SCRIPT, protocolClient, refusal, userInput } from './langgraph-client.js';

/** LangGraph's ids for the default assistants of graphs with these names (UUID v5 of the name). */
const LANGGRAPH_ASSISTANT_IDS = { assistant: '453d1cbf-0bdd-5d35-a224-394f372c0502', rag: 'e55ae2ab-01af-5331-997f-113dcf644526' };

describe('assistants, through the SDK client', () => {
  let server: ApiServer;
  let client: Client;
  beforeAll(async () => {
    server = await startApiServer({ script: PROTOCOL_SCRIPT });
    client = protocolClient(server, server.keys.chat);
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists every graph and agent, with the ids LangGraph gives graphs of those names', async () => {
    const assistants = await client.assistants.search({ limit: 100 });
    expect(assistants.map((assistant) => assistant.graph_id)).toEqual(['rag', 'research', 'pipeline', 'assistant', 'researcher', 'supervisor']);
    expect(assistants.find((assistant) => assistant.graph_id === 'assistant')).toMatchObject({
      assistant_id: LANGGRAPH_ASSISTANT_IDS.assistant,
      name: 'assistant',
      description: expect.stringContaining('assistant'),
      metadata: { created_by: 'system', kind: 'agent' },
      version: 1,
    });
    expect(assistants.find((assistant) => assistant.graph_id === 'rag')).toMatchObject({ assistant_id: LANGGRAPH_ASSISTANT_IDS.rag, metadata: { kind: 'graph' } });
  });

  it('filters and pages the search', async () => {
    expect((await client.assistants.search({ graphId: 'rag' })).map((assistant) => assistant.graph_id)).toEqual(['rag']);
    expect((await client.assistants.search({ name: 'RESEARCH' })).map((assistant) => assistant.graph_id)).toEqual(['research', 'researcher']);
    expect((await client.assistants.search({ metadata: { kind: 'graph' } })).map((assistant) => assistant.graph_id)).toEqual(['rag', 'research', 'pipeline']);
    const page = await client.assistants.search({ limit: 2, offset: 2, includePagination: true });
    expect(page.assistants.map((assistant) => assistant.graph_id)).toEqual(['pipeline', 'assistant']);
    expect(page.next).toBe('4');
    expect(await client.assistants.count({ metadata: { kind: 'agent' } })).toBe(3);
  });

  it('gets an assistant by id or by name, and 404s an unknown one', async () => {
    const byId = await client.assistants.get(LANGGRAPH_ASSISTANT_IDS.assistant);
    expect(await client.assistants.get('assistant')).toEqual(byId);
    expect(await refusal(client.assistants.get('no-such-assistant'))).toEqual({ status: 404, code: 'ASSISTANT_NOT_FOUND' });
  });
});

describe('threads, through the SDK client', () => {
  let server: ApiServer;
  let client: Client;
  beforeAll(async () => {
    server = await startApiServer({ script: PROTOCOL_SCRIPT });
    client = protocolClient(server, server.keys.chat);
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates a thread with an id the client chose, and honours if_exists', async () => {
    const threadId = randomUUID();
    const thread = await client.threads.create({ threadId, metadata: { owner: 'ann' } });
    expect(thread).toMatchObject({ thread_id: threadId, metadata: { owner: 'ann' }, status: 'idle', values: {}, interrupts: {} });
    expect(await client.threads.get(threadId)).toEqual(thread);
    expect(await refusal(client.threads.create({ threadId }))).toEqual({ status: 409, code: 'THREAD_EXISTS' });
    expect(await client.threads.create({ threadId, ifExists: 'do_nothing', metadata: { owner: 'bob' } })).toMatchObject({ metadata: { owner: 'ann' } });
  });

  it('binds a thread to the graph it names, as LangGraph records graph_id and assistant_id', async () => {
    const thread = await client.threads.create({ graphId: 'assistant' });
    expect(thread.metadata).toEqual({ graph_id: 'assistant', assistant_id: LANGGRAPH_ASSISTANT_IDS.assistant });
    expect(await refusal(client.runs.wait(thread.thread_id, 'researcher', { input: userInput('hi') }))).toEqual({ status: 422, code: 'LANGGRAPH_UNSUPPORTED' });
  });

  it('searches by metadata, ids, limit and offset, most recently updated first', async () => {
    const project = randomUUID();
    const made = [];
    for (const stage of ['draft', 'draft', 'final']) made.push((await client.threads.create({ metadata: { project, stage } })).thread_id);
    await client.threads.create({ metadata: { project: 'another' } });

    const all = await client.threads.search({ metadata: { project } });
    expect(all.map((thread) => thread.thread_id)).toEqual([...made].reverse());
    expect((await client.threads.search({ metadata: { project, stage: 'draft' } })).map((thread) => thread.thread_id)).toEqual([made[1], made[0]]);
    expect((await client.threads.search({ metadata: { project }, limit: 2 })).map((thread) => thread.thread_id)).toEqual([made[2], made[1]]);
    expect((await client.threads.search({ metadata: { project }, limit: 2, offset: 2 })).map((thread) => thread.thread_id)).toEqual([made[0]]);
    expect((await client.threads.search({ ids: [made[0]!, made[2]!, randomUUID()], metadata: { stage: 'final' } })).map((thread) => thread.thread_id)).toEqual([made[2]]);
    expect(await client.threads.search({ metadata: { project }, select: ['thread_id', 'status'], limit: 1 })).toEqual([{ thread_id: made[2], status: 'idle' }]);
    expect(await refusal(client.threads.search({ status: 'busy' }))).toEqual({ status: 422, code: 'LANGGRAPH_UNSUPPORTED' });
  });

  it('merges metadata on update, and deletes a thread with its runs', async () => {
    const { thread_id: threadId } = await client.threads.create({ metadata: { a: 1 } });
    expect((await client.threads.update(threadId, { metadata: { b: 2 } })).metadata).toEqual({ a: 1, b: 2 });
    const run = await client.runs.create(threadId, 'assistant', { input: userInput('Hello?') });
    await client.runs.join(threadId, run.run_id);
    expect((await client.threads.get(threadId)).values).toMatchObject({ messages: [{ type: 'human', content: 'Hello?' }, { type: 'ai' }] });

    await client.threads.delete(threadId);
    expect(await refusal(client.threads.get(threadId))).toEqual({ status: 404, code: 'THREAD_NOT_FOUND' });
    expect(await refusal(client.runs.get(threadId, run.run_id))).toEqual({ status: 404, code: 'RUN_NOT_FOUND' });
    expect(await refusal(client.threads.getState(threadId))).toEqual({ status: 404, code: 'THREAD_NOT_FOUND' });
  });

  it('answers an empty state and history for a thread nothing has run on', async () => {
    const { thread_id: threadId } = await client.threads.create();
    expect(await client.threads.getState(threadId)).toEqual({ values: {}, next: [], tasks: [], metadata: null, created_at: null, checkpoint: null, parent_checkpoint: null });
    expect(await client.threads.getHistory(threadId)).toEqual([]);
  });

  it('404s unknown thread and run ids on every route', async () => {
    const threadId = randomUUID();
    const { thread_id: known } = await client.threads.create();
    const runId = randomUUID();
    const refusals = await Promise.all([
      refusal(client.threads.get(threadId)),
      refusal(client.threads.update(threadId, { metadata: { a: 1 } })),
      refusal(client.threads.delete(threadId)),
      refusal(client.threads.getState(threadId)),
      refusal(client.threads.getHistory(threadId)),
      refusal(client.runs.list(threadId)),
      refusal(client.runs.create(threadId, 'assistant', { input: userInput('hi') })),
      refusal(collect(client.runs.stream(threadId, 'assistant', { input: userInput('hi') }))),
      refusal(client.runs.get(known, runId)),
      refusal(client.runs.join(known, runId)),
      refusal(client.runs.cancel(known, runId)),
      refusal(collect(client.runs.joinStream(known, runId))),
      refusal(collect(client.runs.joinStream(null, runId))),
    ]);
    expect(refusals.map((answer) => answer.status)).toEqual(refusals.map(() => 404));
    expect(refusals.slice(0, 8).map((answer) => answer.code)).toEqual(refusals.slice(0, 8).map(() => 'THREAD_NOT_FOUND'));
    expect(refusals.slice(8).map((answer) => answer.code)).toEqual(refusals.slice(8).map(() => 'RUN_NOT_FOUND'));
  });

  it('refuses bad thread requests with a 4xx and a code', async () => {
    expect(await refusal(client.threads.create({ threadId: '../../etc/passwd' }))).toEqual({ status: 400, code: 'API_BODY_INVALID' });
    expect(await refusal(client.threads.create({ supersteps: [{ updates: [{ values: {}, asNode: 'agent' }] }] }))).toEqual({ status: 422, code: 'LANGGRAPH_UNSUPPORTED' });
    expect(await refusal(client.threads.search({ limit: 0 }))).toEqual({ status: 400, code: 'API_BODY_INVALID' });
    const anonymous = protocolClient(server, 'trl_not_a_key');
    expect(await refusal(anonymous.threads.search())).toEqual({ status: 401, code: 'AUTH_INVALID' });
    const ingestOnly = protocolClient(server, server.keys.ingest);
    expect(await refusal(ingestOnly.threads.search())).toEqual({ status: 403, code: 'AUTH_SCOPE_MISSING' });
  });
});

describe('tenant isolation', () => {
  let server: ApiServer;
  let acme: Client;
  let globex: Client;
  let threadId: string;
  let runId: string;
  beforeAll(async () => {
    server = await startApiServer({ script: PROTOCOL_SCRIPT });
    acme = protocolClient(server, server.keys.chat);
    globex = protocolClient(server, server.keys.otherTenant);
    threadId = (await acme.threads.create({ threadId: randomUUID(), metadata: { secret: 'acme-only' } })).thread_id;
    runId = (await acme.runs.create(threadId, 'assistant', { input: userInput('Acme business') })).run_id;
    await acme.runs.join(threadId, runId);
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers 404 for every call on another tenant's thread, and changes nothing", async () => {
    const refusals = await Promise.all([
      refusal(globex.threads.get(threadId)),
      refusal(globex.threads.update(threadId, { metadata: { secret: 'stolen' } })),
      refusal(globex.threads.getState(threadId)),
      refusal(globex.threads.getHistory(threadId)),
      refusal(globex.runs.list(threadId)),
      refusal(globex.runs.wait(threadId, 'assistant', { input: userInput('Let me in') })),
      refusal(globex.runs.create(threadId, 'assistant', { input: userInput('Let me in'), ifNotExists: 'create' })),
      refusal(collect(globex.runs.stream(threadId, 'assistant', { input: userInput('Let me in') }))),
      refusal(globex.threads.delete(threadId)),
    ]);
    expect(refusals.slice(0, 6)).toEqual(refusals.slice(0, 6).map(() => ({ status: 404, code: 'THREAD_NOT_FOUND' })));
    expect(refusals[6]).toEqual({ status: 409, code: 'THREAD_EXISTS' });
    expect(refusals.slice(7)).toEqual(refusals.slice(7).map(() => ({ status: 404, code: 'THREAD_NOT_FOUND' })));
    expect(await acme.threads.get(threadId)).toMatchObject({ metadata: { secret: 'acme-only' } });
    expect(await acme.runs.list(threadId)).toHaveLength(1);
  });

  it("answers 404 for another tenant's run, even under the tenant's own thread", async () => {
    const { thread_id: own } = await globex.threads.create();
    const refusals = await Promise.all([
      refusal(globex.runs.get(threadId, runId)),
      refusal(globex.runs.get(own, runId)),
      refusal(globex.runs.join(threadId, runId)),
      refusal(globex.runs.cancel(threadId, runId, true)),
      refusal(collect(globex.runs.joinStream(threadId, runId))),
      refusal(collect(globex.runs.joinStream(null, runId))),
    ]);
    expect(refusals).toEqual(refusals.map(() => ({ status: 404, code: 'RUN_NOT_FOUND' })));
  });

  it("never lists another tenant's threads, nor takes its thread ids", async () => {
    expect(await globex.threads.search({ metadata: { secret: 'acme-only' } })).toEqual([]);
    expect(await globex.threads.search({ ids: [threadId] })).toEqual([]);
    expect(await refusal(globex.threads.create({ threadId, ifExists: 'do_nothing' }))).toEqual({ status: 409, code: 'THREAD_EXISTS' });
  });
});
