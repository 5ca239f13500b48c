import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../../runtime/create-runtime.js';
import type { RunLogEntry } from '../../../runtime/run-log.js';
import { RunRecords } from '../../../runtime/run-records.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

async function collect(entries: AsyncIterable<RunLogEntry>): Promise<RunLogEntry[]> {
  const all: RunLogEntry[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
}

const typesOf = (entries: readonly RunLogEntry[]) => entries.flatMap((entry) => (entry.kind === 'event' ? [entry.event.type] : []));

describe('the run manager: background runs with logs, records and one active run per thread', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  beforeAll(async () => {
    temp = makeTempDir('trellis-run-manager-');
    // `slow` turns wait before they answer, long enough to cancel a run or queue behind it.
    writeFileSync(
      path.join(temp.dir, 'script.json'),
      JSON.stringify([
        { match: 'slow', text: 'one two three four five six seven eight nine ten', delayMs: 1500 },
        { match: 'rejected', text: 'Understood, no fetch.' },
        { match: 'fetch', toolCalls: [{ name: 'http_fetch', args: { url: 'https://example.com/' } }] },
        { text: 'quick answer' },
      ]),
    );
    runtime = await createTestRuntime({ models: { chat: { provider: 'scripted', scriptPath: path.join(temp.dir, 'script.json') } } });
  });
  afterAll(async () => {
    await runtime.dispose();
    temp.remove();
  });

  it('runs in the background: the log numbers every entry and the record ends completed', async () => {
    const handle = runtime.runManager.start('acme', { target: 'assistant', message: 'hello' });
    expect(handle.run).toMatchObject({ status: 'pending', target: 'assistant', tenantId: 'acme' });
    const entries = await collect(handle.entries());
    expect(entries.map((entry) => entry.seq)).toEqual(entries.map((_, index) => index + 1));
    expect(typesOf(entries)[0]).toBe('run-start');
    expect(typesOf(entries).at(-1)).toBe('run-end');
    expect(await handle.done).toMatchObject({ status: 'completed', error: null });
    expect(runtime.runManager.get('acme', handle.run.id).status).toBe('completed');
    // A late reader replays the log from any position.
    const replay = await collect(runtime.runManager.attach('acme', handle.run.id).entries(2));
    expect(replay.map((entry) => entry.seq)).toEqual(entries.slice(2).map((entry) => entry.seq));
  });

  it('streams the answer as token deltas unless the caller says it reads only the end (tokens: false)', async () => {
    const streamed = runtime.runManager.start('acme', { target: 'assistant', message: 'hello' });
    const quiet = runtime.runManager.start('acme', { target: 'assistant', message: 'hello', tokens: false });
    const [withTokens, withoutTokens] = await Promise.all([collect(streamed.entries()), collect(quiet.entries())]);
    expect(typesOf(withTokens)).toContain('token-delta');
    expect(typesOf(withoutTokens)).not.toContain('token-delta');
    const answerOf = (entries: RunLogEntry[]) => entries.flatMap((entry) => (entry.kind === 'event' && entry.event.type === 'run-end' ? [entry.event.answer] : []));
    expect(answerOf(withoutTokens)).toEqual(['quick answer']);
    expect(answerOf(withTokens)).toEqual(['quick answer']);
  });

  it('refuses a second run on a busy thread, queues it with enqueue, cancels the first with interrupt', async () => {
    const first = runtime.runManager.start('acme', { target: 'assistant', message: 'slow please' });
    const threadId = first.run.threadId;
    expect(() => runtime.runManager.start('acme', { threadId, message: 'again' })).toThrow(expect.objectContaining({ code: 'THREAD_BUSY' }));

    const queued = runtime.runManager.start('acme', { threadId, message: 'queued', multitaskStrategy: 'enqueue' });
    expect(queued.run.status).toBe('pending');
    expect((await first.done).status).toBe('completed');
    expect((await queued.done).status).toBe('completed');

    const slow = runtime.runManager.start('acme', { threadId, message: 'slow again' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const replacing = runtime.runManager.start('acme', { threadId, message: 'instead', multitaskStrategy: 'interrupt' });
    expect((await slow.done).status).toBe('cancelled');
    expect((await replacing.done).status).toBe('completed');
    const statuses = runtime.runManager.list('acme', threadId).map((run) => run.status);
    expect(statuses).toEqual(['completed', 'cancelled', 'completed', 'completed']);
  });

  it('cancels a run: its stream ends with RUN_CANCELLED and its thread keeps the steps it finished', async () => {
    const handle = runtime.runManager.start('acme', { target: 'assistant', message: 'slow one' });
    const seen: RunLogEntry[] = [];
    for await (const entry of handle.entries()) {
      seen.push(entry);
      if (entry.kind === 'event' && entry.event.type === 'token-delta') break;
    }
    const cancelled = await runtime.runManager.cancel('acme', handle.run.id);
    expect(cancelled.status).toBe('cancelled');
    const rest = await collect(handle.entries(seen.at(-1)!.seq));
    expect(rest.at(-1)).toMatchObject({ kind: 'event', event: { type: 'run-error', code: 'RUN_CANCELLED' } });
    expect(await runtime.runs.state('acme', handle.run.threadId)).toBeDefined();
  });

  it("hides another tenant's runs and threads as unknown", async () => {
    const handle = runtime.runManager.start('acme', { target: 'assistant', message: 'private' });
    await handle.done;
    expect(() => runtime.runManager.get('globex', handle.run.id)).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
    expect(() => runtime.runManager.attach('globex', handle.run.id)).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
    await expect(runtime.runManager.cancel('globex', handle.run.id)).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
    expect(() => runtime.runManager.start('globex', { threadId: handle.run.threadId, message: 'x' })).toThrow(
      expect.objectContaining({ code: 'THREAD_NOT_FOUND' }),
    );
  });

  it('deletes a thread with its runs and checkpoints', async () => {
    const handle = runtime.runManager.start('acme', { target: 'assistant', message: 'to delete' });
    await handle.done;
    await runtime.runManager.deleteThread('acme', handle.run.threadId);
    expect(() => runtime.threads.get('acme', handle.run.threadId)).toThrow(expect.objectContaining({ code: 'THREAD_NOT_FOUND' }));
    expect(() => runtime.runManager.get('acme', handle.run.id)).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
    expect(await runtime.checkpointer.saver.getTuple({ configurable: { thread_id: handle.run.threadId } })).toBeUndefined();
  });

  it('on shutdown, takes no new runs and cancels what outlives the grace period', async () => {
    const other = await createRuntime({ config: { ...runtime.config, dataDir: path.join(temp.dir, 'drain') } });
    try {
      const slow = other.runManager.start('acme', { target: 'assistant', message: 'slow drain' });
      await other.runManager.drain(200);
      expect((await slow.done).status).toBe('cancelled');
      expect(() => other.runManager.start('acme', { target: 'assistant', message: 'late' })).toThrow(
        expect.objectContaining({ code: 'SERVER_SHUTTING_DOWN' }),
      );
    } finally {
      await other.stop();
    }
  });

  it('keeps at most runRetentionCount finished logs: an evicted run still has its record, its log is empty', async () => {
    const other = await createRuntime({ config: { ...runtime.config, dataDir: path.join(temp.dir, 'retention'), server: { ...runtime.config.server, runRetentionCount: 1 } } });
    try {
      const first = other.runManager.start('acme', { target: 'assistant', message: 'one' });
      await first.done;
      const second = other.runManager.start('acme', { target: 'assistant', message: 'two' });
      await second.done;
      expect(await collect(other.runManager.attach('acme', first.run.id).entries())).toEqual([]);
      expect(other.runManager.get('acme', first.run.id).status).toBe('completed');
      expect((await collect(other.runManager.attach('acme', second.run.id).entries())).length).toBeGreaterThan(2);
    } finally {
      await other.stop();
    }
  });

  it('marks runs a dead process left unfinished as failed, with a hint to run again', async () => {
    const dataDir = path.join(temp.dir, 'crashed');
    const first = await createRuntime({ config: { ...runtime.config, dataDir } });
    const threadId = first.threads.create('acme', 'assistant').id;
    new RunRecords(first.db, () => new Date()).insert({
      id: 'run-left-running',
      tenantId: 'acme',
      threadId,
      target: 'assistant',
      status: 'running',
      multitaskStrategy: 'reject',
      metadata: {},
      request: {},
    });
    await first.stop();
    const second = await createRuntime({ config: { ...runtime.config, dataDir } });
    try {
      expect(second.runManager.get('acme', 'run-left-running')).toMatchObject({ status: 'failed', error: { code: 'SERVER_SHUTTING_DOWN' } });
    } finally {
      await second.stop();
    }
  });

  describe('runs on temporary threads', () => {
    const storedRecord = (runId: string) => () => new RunRecords(runtime.db, () => new Date()).get('acme', runId);
    const checkpointOf = (threadId: string) => runtime.checkpointer.saver.getTuple({ configurable: { thread_id: threadId } });

    it('stores nothing of the run, and answers for it from memory while its log is kept', async () => {
      const handle = runtime.runManager.start('acme', { target: 'assistant', message: 'hello', temporaryThread: 'discard' });
      expect(runtime.runManager.get('acme', handle.run.id).status).toMatch(/pending|running/);
      expect(typesOf(await collect(handle.entries())).at(-1)).toBe('run-end');
      expect((await handle.done).status).toBe('completed');
      expect(() => runtime.threads.get('acme', handle.run.threadId)).toThrow(expect.objectContaining({ code: 'THREAD_NOT_FOUND' }));
      expect(storedRecord(handle.run.id)).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
      expect(await checkpointOf(handle.run.threadId)).toBeUndefined();
      expect(runtime.runManager.get('acme', handle.run.id).status).toBe('completed');
      expect(() => runtime.runManager.get('globex', handle.run.id)).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
    });

    it('stores the thread, its checkpoints and the run before anyone reads the end of a run that waits for an approval', async () => {
      const handle = runtime.runManager.start('acme', { target: 'assistant', message: 'please fetch it', temporaryThread: 'keep-if-interrupted' });
      const { threadId } = handle.run;
      for await (const entry of handle.entries()) {
        if (entry.kind !== 'event' || entry.event.type !== 'run-end') continue;
        expect(entry.event.status).toBe('interrupted');
        // Read the moment the end is published: a client may resume now.
        expect(runtime.threads.get('acme', threadId)).toMatchObject({ id: threadId, target: 'assistant' });
        expect(storedRecord(handle.run.id)()).toMatchObject({ status: 'interrupted', threadId });
        expect(runtime.db.prepare('SELECT trace_id FROM runs WHERE id = ?').pluck().get(handle.run.id)).toMatch(/^[0-9a-f]{32}$/);
        expect(await checkpointOf(threadId)).toBeDefined();
      }
      const resumed = runtime.runManager.start('acme', { threadId, resume: { action: 'reject', reason: 'rejected by the test' } });
      expect(await resumed.done).toMatchObject({ status: 'completed' });
      const state = await runtime.runs.state('acme', threadId);
      expect((state?.values.messages as { text: string }[]).at(-1)!.text).toBe('Understood, no fetch.');
    });

    it('forgets a run that waits for an approval when nothing keeps it (discard)', async () => {
      const handle = runtime.runManager.start('acme', { target: 'assistant', message: 'please fetch it', temporaryThread: 'discard' });
      expect((await handle.done).status).toBe('interrupted');
      expect(() => runtime.threads.get('acme', handle.run.threadId)).toThrow(expect.objectContaining({ code: 'THREAD_NOT_FOUND' }));
      expect(await checkpointOf(handle.run.threadId)).toBeUndefined();
    });

    it('refuses a temporary thread together with a thread id', () => {
      const threadId = runtime.threads.create('acme', 'assistant').id;
      expect(() => runtime.runManager.start('acme', { threadId, message: 'hi', temporaryThread: 'discard' })).toThrow(
        expect.objectContaining({ code: 'API_BODY_INVALID' }),
      );
    });
  });
});
