import { randomUUID } from 'node:crypto';
import type { Client } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { collect, PROTOCOL_SCRIPT, protocolClient, refusal, userInput } from './langgraph-client.js';

type Values = { messages: { type: string; content: unknown; id?: string }[] };

/** LangGraph's id for the default assistant of a graph named `assistant` (UUID v5 of the name). */
const ASSISTANT_ID = '453d1cbf-0bdd-5d35-a224-394f372c0502';

describe('runs of the LangGraph Agent Protocol, through the SDK client', () => {
  let server: ApiServer;
  let client: Client;
  beforeAll(async () => {
    server = await startApiServer({ script: PROTOCOL_SCRIPT });
    client = protocolClient(server, server.keys.chat);
  });
  afterAll(async () => {
    await server.close();
  });

  const newThread = async () => (await client.threads.create()).thread_id;

  /** Resolves once the run is running (its first event exists), so that a second run meets it. */
  async function startSlowRun(threadId: string) {
    const run = await client.runs.create(threadId, 'assistant', { input: userInput('Slow question') });
    await vi.waitFor(async () => expect((await client.runs.get(threadId, run.run_id)).status).toBe('running'));
    return run;
  }

  describe('wait', () => {
    it('answers with the final state values and names the run in Content-Location', async () => {
      const threadId = await newThread();
      const created = vi.fn();
      const values = (await client.runs.wait(threadId, 'assistant', { input: userInput('Hello?'), onRunCreated: created })) as Values;
      expect(values.messages).toEqual([
        expect.objectContaining({ type: 'human', content: 'Hello?', id: expect.any(String) }),
        expect.objectContaining({ type: 'ai', content: 'Hello from Trellis.', tool_calls: [] }),
      ]);
      expect(created).toHaveBeenCalledWith({ run_id: expect.any(String), thread_id: threadId });
      const [{ run_id: runId }] = created.mock.calls[0] as [{ run_id: string }];
      expect(await client.runs.get(threadId, runId)).toMatchObject({ run_id: runId, thread_id: threadId, assistant_id: ASSISTANT_ID, status: 'success' });
    });

    it('runs stateless on a temporary thread of which nothing is stored: no thread, run record or checkpoint', async () => {
      const { db, checkpointer } = server.runtime;
      const stored = async () => {
        let checkpoints = 0;
        for await (const _tuple of checkpointer.saver.list({ configurable: {} })) checkpoints += 1;
        return { threads: db.prepare('SELECT COUNT(*) FROM threads').pluck().get(), runs: db.prepare('SELECT COUNT(*) FROM runs').pluck().get(), checkpoints };
      };
      const before = await stored();
      const created = vi.fn();
      const values = (await client.runs.wait(null, 'assistant', { input: userInput('Stateless hello'), onRunCreated: created })) as Values;
      expect(values.messages.map((message) => message.content)).toEqual(['Stateless hello', 'Hello from Trellis.']);
      expect(await stored()).toEqual(before);
      const [{ run_id: runId, thread_id: threadId }] = created.mock.calls[0] as [{ run_id: string; thread_id: string }];
      expect(await refusal(client.threads.get(threadId))).toMatchObject({ status: 404 });
      // The finished run can still be replayed by its id for a while, as any run's log can.
      const replay = await collect(client.runs.joinStream(null, runId));
      expect(replay.map((part) => part.event)).toContain('values');
    });

    it('keeps the temporary thread when asked to (on_completion: keep)', async () => {
      const created = vi.fn();
      // The SDK sends on_completion for stateless runs, though its types leave the field out for them.
      const payload = { input: userInput('Keep me'), onCompletion: 'keep' as const, onRunCreated: created };
      await client.runs.wait(null, 'assistant', payload);
      const [{ run_id: runId }] = created.mock.calls[0] as [{ run_id: string }];
      const record = server.runtime.runManager.get('acme', runId);
      expect((await client.threads.getState<Values>(record.threadId)).values.messages[0]).toMatchObject({ content: 'Keep me' });
    });

    it('cancels the run when its client leaves before the answer, if it asked on_disconnect: cancel', async () => {
      const threadId = await newThread();
      const leaving = new AbortController();
      const waiting = client.runs.wait(threadId, 'assistant', { input: userInput('Slow wait'), onDisconnect: 'cancel', signal: leaving.signal });
      await vi.waitFor(async () => expect((await client.threads.get(threadId)).status).toBe('busy'));
      leaving.abort();
      await expect(waiting).rejects.toThrow();
      const [run] = await client.runs.list(threadId);
      await client.runs.join(threadId, run!.run_id);
      expect((await client.runs.get(threadId, run!.run_id)).status).toBe('interrupted');
    });

    it('reports a failed run as __error__, which the SDK raises', async () => {
      const threadId = await newThread();
      const output = await client.runs.wait(threadId, 'assistant', { command: { resume: { action: 'approve' } }, raiseError: false });
      expect(output).toEqual({ __error__: { error: 'RUN_RESUME_INVALID', message: expect.stringContaining('not waiting for an approval') } });
      await expect(client.runs.wait(threadId, 'assistant', { command: { resume: { action: 'approve' } } })).rejects.toThrow(/RUN_RESUME_INVALID/);
      expect((await client.threads.get(threadId)).status).toBe('error');
    });
  });

  describe('create, join, get and list', () => {
    it('starts a run in the background; join waits for its values; list shows it newest first', async () => {
      const threadId = await newThread();
      const first = await client.runs.create(threadId, 'assistant', { input: userInput('First'), metadata: { attempt: 1 } });
      expect(first).toMatchObject({ thread_id: threadId, assistant_id: ASSISTANT_ID, status: 'pending', metadata: { attempt: 1 }, multitask_strategy: 'reject' });
      const joined = (await client.runs.join(threadId, first.run_id)) as Values;
      expect(joined.messages.map((message) => message.content)).toEqual(['First', 'Hello from Trellis.']);
      const second = await client.runs.create(threadId, 'assistant', { input: userInput('Second') });
      await client.runs.join(threadId, second.run_id);

      const runs = await client.runs.list(threadId);
      expect(runs.map((run) => [run.run_id, run.status])).toEqual([
        [second.run_id, 'success'],
        [first.run_id, 'success'],
      ]);
      expect((await client.runs.list(threadId, { limit: 1, offset: 1 })).map((run) => run.run_id)).toEqual([first.run_id]);
      expect(await client.runs.list(threadId, { status: 'error' })).toEqual([]);
      expect(await client.runs.list(threadId, { select: ['run_id', 'status'] })).toEqual([
        { run_id: second.run_id, status: 'success' },
        { run_id: first.run_id, status: 'success' },
      ]);
    });

    it('does not show a run under another thread of the same tenant', async () => {
      const threadId = await newThread();
      const other = await newThread();
      const run = await client.runs.create(threadId, 'assistant', { input: userInput('Mine') });
      await client.runs.join(threadId, run.run_id);
      expect(await refusal(client.runs.get(other, run.run_id))).toEqual({ status: 404, code: 'RUN_NOT_FOUND' });
      expect(await refusal(client.runs.join(other, run.run_id))).toEqual({ status: 404, code: 'RUN_NOT_FOUND' });
    });
  });

  describe('stream and joinStream', () => {
    it('streams messages as LangGraph does: metadata, partial messages token by token, then complete ones', async () => {
      const threadId = await newThread();
      const parts = await collect(client.runs.stream(threadId, 'assistant', { input: userInput('Hi there'), streamMode: ['messages', 'messages-tuple'] }));
      const events = parts.map((part) => part.event);
      expect(events[0]).toBe('metadata');
      expect(events).toContain('messages/metadata');
      const partials = parts.filter((part) => part.event === 'messages/partial').map((part) => (part.data as { content: string }[])[0]!.content);
      expect(partials.at(-1)).toBe('Hello from Trellis.');
      expect(partials.length).toBeGreaterThan(1);
      const completed = parts.filter((part) => part.event === 'messages/complete').flatMap((part) => part.data as { type: string; content: string }[]);
      expect(completed.map((message) => [message.type, message.content])).toEqual([
        ['human', 'Hi there'],
        ['ai', 'Hello from Trellis.'],
      ]);
      const tuples = parts.filter((part) => part.event === 'messages').map((part) => part.data as unknown as [{ type: string; content: string }, { langgraph_node: string }]);
      expect(tuples.map(([message]) => message.content).join('')).toBe('Hello from Trellis.');
      expect(tuples[0]![1]).toMatchObject({ langgraph_node: 'agent' });
    });

    it('streams checkpoints with references to them and their parents, without internal config', async () => {
      const threadId = await newThread();
      const parts = await collect(client.runs.stream(threadId, 'assistant', { input: userInput('Checkpoint me'), streamMode: 'checkpoints' }));
      const checkpoints = parts.filter((part) => part.event === 'checkpoints').map((part) => part.data as Record<string, unknown>);
      expect(checkpoints.length).toBeGreaterThan(1);
      for (const checkpoint of checkpoints) {
        expect(checkpoint.checkpoint).toMatchObject({ thread_id: threadId, checkpoint_ns: '', checkpoint_id: expect.any(String) });
        expect(checkpoint.config).not.toHaveProperty('callbacks');
      }
      expect(checkpoints[1]!.parent_checkpoint).toEqual(checkpoints[0]!.checkpoint);
      const state = await client.threads.getState(threadId);
      expect(checkpoints.at(-1)!.checkpoint).toEqual(state.checkpoint);
    });

    it('replays a finished run with joinStream, and from Last-Event-ID on only what came after it', async () => {
      const threadId = await newThread();
      const streamed = await collect(client.runs.stream(threadId, 'assistant', { input: userInput('Replay me'), streamMode: ['values', 'updates'] }));
      const runId = (streamed[0]!.data as { run_id: string }).run_id;
      const replayed = await collect(client.runs.joinStream(threadId, runId));
      expect(replayed).toEqual(streamed);
      const resumed = await collect(client.runs.joinStream(threadId, runId, { lastEventId: streamed[2]!.id }));
      expect(resumed).toEqual(streamed.slice(3));
      const valuesOnly = await collect(client.runs.joinStream(threadId, runId, { streamMode: 'values' }));
      expect(valuesOnly.map((part) => part.event)).toEqual(['metadata', ...streamed.filter((part) => part.event === 'values').map(() => 'values')]);
    });

    it('continues a live run after a dropped connection without losing or repeating an event', async () => {
      const threadId = await newThread();
      const run = await client.runs.create(threadId, 'assistant', { input: userInput('Slow story'), streamMode: ['values', 'messages-tuple'] });
      const dropped = new AbortController();
      const seen = [];
      for await (const part of client.runs.joinStream(threadId, run.run_id, { signal: dropped.signal })) {
        seen.push(part);
        if (seen.length === 2) dropped.abort();
      }
      expect((await client.runs.get(threadId, run.run_id)).status).toBe('running');
      const rest = await collect(client.runs.joinStream(threadId, run.run_id, { lastEventId: seen.at(-1)!.id }));
      const everything = await collect(client.runs.joinStream(threadId, run.run_id));
      expect([...seen, ...rest]).toEqual(everything);
      expect(everything.at(-1)).toMatchObject({ event: 'values', data: { messages: [{ content: 'Slow story' }, { content: 'Slow answer.' }] } });
    });

    it('reconnects by itself when the connection drops mid-stream (Location, then Last-Event-ID)', async () => {
      const threadId = await newThread();
      const parts = [];
      for await (const part of client.runs.stream(threadId, 'assistant', { input: userInput('Slow reconnect'), streamMode: ['values', 'messages-tuple'] })) {
        parts.push(part);
        if (parts.length === 2) server.app.server.closeAllConnections();
      }
      const runId = (parts[0]!.data as { run_id: string }).run_id;
      expect(parts).toEqual(await collect(client.runs.joinStream(threadId, runId)));
      expect(parts.at(-1)).toMatchObject({ event: 'values', data: { messages: [{ content: 'Slow reconnect' }, { content: 'Slow answer.' }] } });
    });

    it('streams a stateless run, naming the run in Content-Location', async () => {
      const created = vi.fn();
      const parts = await collect(client.runs.stream(null, 'assistant', { input: userInput('Stateless stream'), onRunCreated: created }));
      expect(parts[0]).toMatchObject({ event: 'metadata', data: { run_id: expect.any(String) } });
      expect(created).toHaveBeenCalledWith({ run_id: (parts[0]!.data as { run_id: string }).run_id, thread_id: undefined });
      expect(parts.at(-1)).toMatchObject({ event: 'values', data: { messages: [{ content: 'Stateless stream' }, { content: 'Hello from Trellis.' }] } });
    });

    it('goes on when the client leaves, unless it asked on_disconnect: cancel', async () => {
      for (const onDisconnect of ['continue', 'cancel'] as const) {
        const threadId = await newThread();
        const leaving = new AbortController();
        let runId = '';
        for await (const part of client.runs.stream(threadId, 'assistant', { input: userInput('Slow goodbye'), onDisconnect, signal: leaving.signal })) {
          runId = (part.data as { run_id: string }).run_id;
          leaving.abort();
        }
        const ended = await client.runs.join(threadId, runId);
        expect((await client.runs.get(threadId, runId)).status).toBe(onDisconnect === 'cancel' ? 'interrupted' : 'success');
        if (onDisconnect === 'cancel') expect(ended).toMatchObject({ __error__: { error: 'RUN_CANCELLED' } });
      }
    });
  });

  describe('cancel and multitask strategies', () => {
    it('cancels a running run: it ends interrupted and the thread is free again', async () => {
      const threadId = await newThread();
      const run = await startSlowRun(threadId);
      await client.runs.cancel(threadId, run.run_id, true);
      expect((await client.runs.get(threadId, run.run_id)).status).toBe('interrupted');
      expect((await client.threads.get(threadId)).status).toBe('idle');
      const values = (await client.runs.wait(threadId, 'assistant', { input: userInput('After the cancel') })) as Values;
      expect(values.messages.at(-1)).toMatchObject({ content: 'Hello from Trellis.' });
    });

    it('rejects a second run on a busy thread with 409 THREAD_BUSY (multitask_strategy reject, the default)', async () => {
      const threadId = await newThread();
      const run = await startSlowRun(threadId);
      expect((await client.threads.get(threadId)).status).toBe('busy');
      expect(await refusal(client.runs.create(threadId, 'assistant', { input: userInput('Me too') }))).toEqual({ status: 409, code: 'THREAD_BUSY' });
      expect(await refusal(client.runs.wait(threadId, 'assistant', { input: userInput('Me too'), multitaskStrategy: 'reject' }))).toEqual({
        status: 409,
        code: 'THREAD_BUSY',
      });
      await client.runs.cancel(threadId, run.run_id, true);
    });

    it('queues a second run behind the first with enqueue, and cancels the first with interrupt', async () => {
      const threadId = await newThread();
      const first = await startSlowRun(threadId);
      const queued = await client.runs.create(threadId, 'assistant', { input: userInput('Queued'), multitaskStrategy: 'enqueue' });
      expect(queued.status).toBe('pending');
      await client.runs.join(threadId, queued.run_id);
      expect((await client.runs.get(threadId, first.run_id)).status).toBe('success');
      expect((await client.runs.get(threadId, queued.run_id)).status).toBe('success');

      const slow = await startSlowRun(threadId);
      const interrupting = await client.runs.create(threadId, 'assistant', { input: userInput('Now'), multitaskStrategy: 'interrupt' });
      await client.runs.join(threadId, interrupting.run_id);
      expect((await client.runs.get(threadId, slow.run_id)).status).toBe('interrupted');
      expect((await client.runs.get(threadId, interrupting.run_id)).status).toBe('success');
    });
  });

  describe('requests Trellis refuses before a run starts', () => {
    it('answers 4xx with a code for bad input and unsupported features', async () => {
      const threadId = await newThread();
      const cases: [() => Promise<unknown>, number, string][] = [
        [() => client.runs.wait(threadId, 'assistant', { input: { messages: [] } }), 400, 'API_BODY_INVALID'],
        [() => client.runs.wait(threadId, 'assistant', {}), 400, 'API_BODY_INVALID'],
        [() => client.runs.wait(threadId, 'assistant', { input: { messages: [{ role: 'assistant', content: 'hi' }] } }), 400, 'API_BODY_INVALID'],
        [() => client.runs.wait(threadId, 'no-such-agent', { input: userInput('hi') }), 404, 'ASSISTANT_NOT_FOUND'],
        [() => client.runs.wait(threadId, 'assistant', { input: userInput('hi'), interruptBefore: ['tools'] }), 422, 'LANGGRAPH_UNSUPPORTED'],
        [() => client.runs.wait(threadId, 'assistant', { command: { goto: 'agent' } }), 422, 'LANGGRAPH_UNSUPPORTED'],
        [() => collect(client.runs.stream(threadId, 'assistant', { input: userInput('hi'), streamMode: 'events' })), 422, 'LANGGRAPH_UNSUPPORTED'],
        [() => client.runs.wait(threadId, 'assistant', { input: { messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] } }), 422, 'LANGGRAPH_UNSUPPORTED'],
      ];
      for (const [call, status, code] of cases) expect(await refusal(call())).toEqual({ status, code });
      expect(await client.runs.list(threadId)).toEqual([]);
    });

    it('keeps a thread to the assistant of its first run', async () => {
      const threadId = await newThread();
      await client.runs.wait(threadId, 'assistant', { input: userInput('Hello?') });
      expect(await refusal(client.runs.wait(threadId, 'researcher', { input: userInput('Hello?') }))).toEqual({ status: 422, code: 'LANGGRAPH_UNSUPPORTED' });
    });

    it('creates the thread of a run when asked to (if_not_exists: create), and 404s otherwise', async () => {
      const threadId = randomUUID();
      expect(await refusal(client.runs.wait(threadId, 'assistant', { input: userInput('hi') }))).toEqual({ status: 404, code: 'THREAD_NOT_FOUND' });
      const values = (await client.runs.wait(threadId, 'assistant', { input: userInput('hi'), ifNotExists: 'create' })) as Values;
      expect(values.messages).toHaveLength(2);
      expect((await client.threads.get(threadId)).metadata).toEqual({ graph_id: 'assistant', assistant_id: ASSISTANT_ID });
    });
  });
});
