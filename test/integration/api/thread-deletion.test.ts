import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';

/**
 * Deleting a thread erases what the conversation left behind: its runs, checkpoints, trace spans (which hold its
 * messages) and feedback. A stateless request's own thread is another matter: it is deleted for housekeeping, and
 * its trace stays for ops until retention removes it.
 */
describe('DELETE /threads/{thread_id} and the thread’s traces', () => {
  let server: ApiServer;
  const count = (sql: string, ...params: string[]) => server.runtime.db.prepare(sql).pluck().get(...params) as number;

  beforeAll(async () => {
    server = await startApiServer({ script: [{ text: 'Hello there.' }], overrides: { auth: { rateLimitPerMinute: 0 } } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('erases the thread’s spans and feedback, and leaves other threads’ alone', async () => {
    const [deleted, kept] = await Promise.all([0, 1].map(async () => {
      const handle = server.runtime.runManager.start('acme', { target: 'assistant', message: 'hello' });
      await handle.done;
      const scored = await server.request(`/threads/${handle.run.threadId}/feedback`, {
        method: 'POST',
        key: server.keys.chat,
        json: { run_id: handle.run.id, score: 1 },
      });
      expect(scored.status).toBe(201);
      return handle.run.threadId;
    }));
    await server.runtime.tracing.flush();
    for (const threadId of [deleted!, kept!]) {
      expect(count('SELECT COUNT(*) FROM trace_spans WHERE thread_id = ?', threadId)).toBeGreaterThan(1);
      expect(count('SELECT COUNT(*) FROM feedback WHERE thread_id = ?', threadId)).toBe(1);
    }

    const response = await server.request(`/threads/${deleted}`, { method: 'DELETE', key: server.keys.chat });
    expect(response.status).toBe(204);

    expect(count('SELECT COUNT(*) FROM trace_spans WHERE thread_id = ?', deleted!)).toBe(0);
    expect(count('SELECT COUNT(*) FROM feedback WHERE thread_id = ?', deleted!)).toBe(0);
    expect(count('SELECT COUNT(*) FROM trace_spans WHERE thread_id = ?', kept!)).toBeGreaterThan(1);
    expect(count('SELECT COUNT(*) FROM feedback WHERE thread_id = ?', kept!)).toBe(1);
    const listed = (await (await server.request(`/traces?thread_id=${deleted}`, { key: server.keys.admin })).json()) as { data: unknown[] };
    expect(listed.data).toEqual([]);
  });

  it("keeps the trace of an OpenAI-style completion whose own thread is deleted after the answer", async () => {
    const response = await server.request('/v1/chat/completions', {
      method: 'POST',
      key: server.keys.chat,
      json: { model: 'assistant', messages: [{ role: 'user', content: 'hello' }] },
    });
    expect(response.status).toBe(200);
    const { trellis } = (await response.json()) as { trellis: { thread_id: string; run_id: string } };
    await expect.poll(() => count('SELECT COUNT(*) FROM threads WHERE id = ?', trellis.thread_id)).toBe(0);
    await server.runtime.tracing.flush();
    expect(count("SELECT COUNT(*) FROM trace_spans WHERE run_id = ? AND kind = 'run'", trellis.run_id)).toBe(1);
  });

  it('does not wait for a remote sink that never answers: only the local store is flushed first', async () => {
    // Takes every export and never answers it, as a hung Langfuse would (its export timeout is 5 s).
    const hung = createServer(() => undefined);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    const other = await startApiServer({
      script: [{ text: 'Hello there.' }],
      overrides: { tracing: { langfuse: { publicKey: 'pk-lf-1', secretKey: 'sk-lf-1', baseUrl } } },
    });
    try {
      const handle = other.runtime.runManager.start('acme', { target: 'assistant', message: 'hello' });
      await handle.done;
      const started = performance.now();
      const response = await other.request(`/threads/${handle.run.threadId}`, { method: 'DELETE' });
      expect(response.status).toBe(204);
      expect(performance.now() - started).toBeLessThan(3000);
      expect(other.runtime.db.prepare('SELECT COUNT(*) FROM trace_spans WHERE thread_id = ?').pluck().get(handle.run.threadId)).toBe(0);
    } finally {
      await other.close();
      hung.closeAllConnections();
      hung.close();
    }
  }, 30_000);
});
