import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TrellisError } from '../../../core/errors.js';
import type { TrellisConfigOverrides } from '../../../core/config.js';
import { silentLogger } from '../../../core/logger.js';
import { createLangfuseScoreExporter } from '../../../core/tracing/langfuse-scores.js';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { closedPort } from '../../helpers/closed-port.js';

const PUBLIC_KEY = 'pk-lf-test-0123';
const SECRET_KEY = 'sk-lf-test-4567';

interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A local HTTP listener standing in for Langfuse: records every request and answers with `status`, or, with
 * `'never'`, leaves score requests unanswered (spans, which Langfuse also receives, are answered at once).
 */
async function startLangfuseListener(answer: { status: number } | 'never'): Promise<{ url: string; received: ReceivedRequest[]; close(): Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (answer === 'never' && request.url === '/api/public/scores') return;
      const status = answer === 'never' ? 200 : answer.status;
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status < 300 ? { id: 'score-id' } : { message: 'no' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const langfuseAt = (baseUrl: string, includeContent = true): TrellisConfigOverrides => ({
  auth: { rateLimitPerMinute: 0 },
  tracing: { langfuse: { publicKey: PUBLIC_KEY, secretKey: SECRET_KEY, baseUrl, includeContent } },
});

/** A finished run of the tenant on a new thread, with the trace id its root span gave it. */
async function finishedRun(server: ApiServer, tenantId = 'acme', metadata: Record<string, unknown> = {}) {
  const handle = server.runtime.runManager.start(tenantId, { target: 'assistant', message: 'hello', metadata });
  await handle.done;
  const traceId = server.runtime.db.prepare('SELECT trace_id FROM runs WHERE id = ?').pluck().get(handle.run.id) as string | null;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  return { runId: handle.run.id, threadId: handle.run.threadId, traceId: traceId! };
}

const scoreRequests = (received: readonly ReceivedRequest[]) => received.filter((request) => request.url === '/api/public/scores');

describe('POST /threads/{thread_id}/feedback with Langfuse configured', () => {
  let langfuse: Awaited<ReturnType<typeof startLangfuseListener>>;
  let server: ApiServer;
  beforeAll(async () => {
    langfuse = await startLangfuseListener({ status: 200 });
    server = await startApiServer({ script: [{ text: 'An answer.' }], overrides: langfuseAt(langfuse.url) });
  });
  afterAll(async () => {
    await server.close();
    await langfuse.close();
  });

  it("stores the score with the run's trace id and answers 201 with the record", async () => {
    const run = await finishedRun(server, 'acme', { user: 'alice' });
    const response = await server.request(`/threads/${run.threadId}/feedback`, {
      method: 'POST',
      key: server.keys.chat,
      json: { run_id: run.runId, score: 1, comment: 'spot on' },
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.any(String),
      thread_id: run.threadId,
      run_id: run.runId,
      trace_id: run.traceId,
      name: 'user-feedback',
      score: 1,
      comment: 'spot on',
      user_id: 'alice',
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(server.runtime.db.prepare('SELECT * FROM feedback WHERE id = ?').get(body.id)).toEqual({
      id: body.id,
      tenant_id: 'acme',
      thread_id: run.threadId,
      run_id: run.runId,
      trace_id: run.traceId,
      name: 'user-feedback',
      score: 1,
      comment: 'spot on',
      user_id: 'alice',
      created_at: body.created_at,
    });
    const listed = await server.request(`/threads/${run.threadId}/feedback`, { key: server.keys.chat });
    expect(await listed.json()).toEqual({ data: [body] });
  });

  it('sends it to Langfuse as a score on that trace: POST /api/public/scores with Basic auth', async () => {
    const run = await finishedRun(server);
    const response = await server.request(`/threads/${run.threadId}/feedback`, {
      method: 'POST',
      json: { run_id: run.runId, score: 0, comment: 'wrong document cited', name: 'helpfulness' },
    });
    const record = (await response.json()) as { id: string };
    await server.runtime.feedback.flush();
    const sent = scoreRequests(langfuse.received).filter((request) => request.body.includes(run.traceId));
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request!.method).toBe('POST');
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`${PUBLIC_KEY}:${SECRET_KEY}`).toString('base64')}`);
    expect(JSON.parse(request!.body)).toEqual({
      id: record.id,
      traceId: run.traceId,
      name: 'helpfulness',
      value: 0,
      dataType: 'NUMERIC',
      comment: 'wrong document cited',
      metadata: { tenant_id: 'acme', thread_id: run.threadId, run_id: run.runId },
    });
    expect(server.runtime.feedback.exportStats()).toMatchObject({ failed: 0, dropped: 0 });
  });

  it('masks the comment with the tracing.redact rules before it leaves the process; the local row keeps it as written', async () => {
    const run = await finishedRun(server);
    const comment = 'wrong: mail jane.doe@example.com, key sk-abcdefghijklmnopqrstuvwx';
    const response = await server.request(`/threads/${run.threadId}/feedback`, { method: 'POST', json: { run_id: run.runId, score: 0, comment } });
    const { id } = (await response.json()) as { id: string };
    await server.runtime.feedback.flush();
    const [request] = scoreRequests(langfuse.received).filter((sent) => sent.body.includes(id));
    expect((JSON.parse(request!.body) as { comment: string }).comment).toBe('wrong: mail [REDACTED:email], key [REDACTED:key]');
    expect(server.runtime.db.prepare('SELECT comment FROM feedback WHERE id = ?').pluck().get(id)).toBe(comment);
  });

  it('keeps the score local when the run has no trace (tracing was off for it)', async () => {
    const handle = server.runtime.runManager.start('acme', { target: 'assistant', message: 'hello' });
    await handle.done;
    server.runtime.db.prepare('UPDATE runs SET trace_id = NULL WHERE id = ?').run(handle.run.id);
    const before = scoreRequests(langfuse.received).length;
    const response = await server.request(`/threads/${handle.run.threadId}/feedback`, { method: 'POST', json: { run_id: handle.run.id, score: 1 } });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ trace_id: null, comment: null });
    await server.runtime.feedback.flush();
    expect(scoreRequests(langfuse.received)).toHaveLength(before);
  });

  it("answers 404 for a run of another thread or tenant, and for another tenant's or an unknown thread", async () => {
    const mine = await finishedRun(server);
    const other = await finishedRun(server);
    const theirs = await finishedRun(server, 'globex');
    const post = (threadId: string, runId: string, key = server.keys.admin) =>
      server.request(`/threads/${threadId}/feedback`, { method: 'POST', key, json: { run_id: runId, score: 1 } });
    const cases: [Response, string][] = [
      [await post(mine.threadId, other.runId), 'RUN_NOT_FOUND'],
      [await post(mine.threadId, theirs.runId), 'RUN_NOT_FOUND'],
      [await post(mine.threadId, 'no-such-run'), 'RUN_NOT_FOUND'],
      [await post(theirs.threadId, theirs.runId), 'THREAD_NOT_FOUND'],
      [await post(mine.threadId, mine.runId, server.keys.otherTenant), 'THREAD_NOT_FOUND'],
      [await post('no-such-thread', mine.runId), 'THREAD_NOT_FOUND'],
    ];
    for (const [response, code] of cases) {
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const listed = await server.request(`/threads/${mine.threadId}/feedback`, { key: server.keys.otherTenant });
    expect(listed.status).toBe(404);
    expect(server.runtime.db.prepare('SELECT COUNT(*) FROM feedback WHERE run_id IN (?, ?, ?)').pluck().get(mine.runId, other.runId, theirs.runId)).toBe(0);
  });

  it('refuses a score outside 0..1, a missing run_id, wrong types and unknown fields with 400 API_BODY_INVALID', async () => {
    const run = await finishedRun(server);
    for (const json of [
      { run_id: run.runId, score: 1.5 },
      { run_id: run.runId, score: -1 },
      { run_id: run.runId, score: '1' },
      { run_id: run.runId },
      { score: 1 },
      { run_id: run.runId, score: 1, name: '' },
      { run_id: run.runId, score: 1, rating: 5 },
      { run_id: run.runId, score: 1, comment: 'x'.repeat(4001) },
    ]) {
      const response = await server.request(`/threads/${run.threadId}/feedback`, { method: 'POST', json });
      expect({ json, status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code }).toEqual({
        json,
        status: 400,
        code: 'API_BODY_INVALID',
      });
    }
  });

  it('lists a thread’s feedback newest first, one run’s with run_id', async () => {
    const run = await finishedRun(server);
    const second = server.runtime.runManager.start('acme', { threadId: run.threadId, message: 'again' });
    await second.done;
    for (const [runId, score] of [
      [run.runId, 1],
      [second.run.id, 0],
      [run.runId, 0.5],
    ] as const) {
      expect((await server.request(`/threads/${run.threadId}/feedback`, { method: 'POST', json: { run_id: runId, score } })).status).toBe(201);
    }
    const all = (await (await server.request(`/threads/${run.threadId}/feedback`)).json()) as { data: { score: number }[] };
    expect(all.data.map((entry) => entry.score)).toEqual([0.5, 0, 1]);
    const one = (await (await server.request(`/threads/${run.threadId}/feedback?run_id=${run.runId}&limit=1`)).json()) as { data: { score: number }[] };
    expect(one.data.map((entry) => entry.score)).toEqual([0.5]);
  });

  it('records an evaluator’s score through the runtime, for layers other than the API', async () => {
    const run = await finishedRun(server);
    const record = server.runtime.feedback.record({ tenantId: 'acme', runId: run.runId, name: 'faithfulness', score: 0.83, comment: 'judge: 5 of 6' });
    expect(record).toMatchObject({ threadId: run.threadId, traceId: run.traceId, name: 'faithfulness', score: 0.83 });
    await server.runtime.feedback.flush();
    expect(scoreRequests(langfuse.received).some((request) => request.body.includes('"faithfulness"') && request.body.includes(run.traceId))).toBe(true);
    for (const score of [Number.NaN, Number.POSITIVE_INFINITY]) {
      let error: unknown;
      try {
        server.runtime.feedback.record({ tenantId: 'acme', runId: run.runId, name: 'faithfulness', score });
      } catch (caught) {
        error = caught;
      }
      expect(TrellisError.isInstance(error, 'FEEDBACK_INVALID')).toBe(true);
    }
  });
});

describe('feedback when Langfuse is down, slow or refuses the keys', () => {
  it('answers 201 and keeps the row whether Langfuse is unreachable, refusing or never answering; failures are counted', async () => {
    const refusing = await startLangfuseListener({ status: 401 });
    const silent = await startLangfuseListener('never');
    const sinks = [`http://127.0.0.1:${await closedPort()}`, refusing.url, silent.url];
    try {
      for (const baseUrl of sinks) {
        const server = await startApiServer({ script: [{ text: 'An answer.' }], overrides: langfuseAt(baseUrl) });
        try {
          const run = await finishedRun(server);
          const started = performance.now();
          const response = await server.request(`/threads/${run.threadId}/feedback`, { method: 'POST', json: { run_id: run.runId, score: 1 } });
          // The request does not wait for Langfuse, even one that never answers.
          expect(performance.now() - started).toBeLessThan(2000);
          expect(response.status).toBe(201);
          const { id } = (await response.json()) as { id: string };
          expect(server.runtime.db.prepare('SELECT score FROM feedback WHERE id = ?').pluck().get(id)).toBe(1);
          if (baseUrl !== silent.url) {
            await server.runtime.feedback.flush();
            expect(server.runtime.feedback.exportStats()).toEqual({ sent: 0, failed: 1, dropped: 0 });
          }
        } finally {
          // Stopping abandons a score still in flight after its grace period; it is in the table already.
          await server.close();
        }
        if (baseUrl === silent.url) expect(scoreRequests(silent.received)).toHaveLength(1);
      }
    } finally {
      await refusing.close();
      await silent.close();
    }
  }, 30_000);

  it('holds at most maxPending scores for a Langfuse that does not answer, dropping and counting the rest', async () => {
    const silent = await startLangfuseListener('never');
    const exporter = createLangfuseScoreExporter({ publicKey: PUBLIC_KEY, secretKey: SECRET_KEY, baseUrl: silent.url, includeContent: true, logger: silentLogger, maxPending: 2 });
    try {
      for (let index = 0; index < 5; index++) {
        exporter.export({ id: `score-${index}`, traceId: 'f'.repeat(32), name: 'user-feedback', value: 1, metadata: {} });
      }
      expect(exporter.stats()).toEqual({ sent: 0, failed: 0, dropped: 3 });
      await exporter.shutdown(50);
      expect(exporter.stats()).toEqual({ sent: 0, failed: 2, dropped: 3 });
      expect(scoreRequests(silent.received).length).toBeLessThanOrEqual(2);
    } finally {
      await silent.close();
    }
  });

  it('leaves the comment out when langfuse.includeContent is off', async () => {
    const langfuse = await startLangfuseListener({ status: 200 });
    const server = await startApiServer({ script: [{ text: 'An answer.' }], overrides: langfuseAt(langfuse.url, false) });
    try {
      const run = await finishedRun(server);
      await server.request(`/threads/${run.threadId}/feedback`, { method: 'POST', json: { run_id: run.runId, score: 1, comment: 'my card number is 4111' } });
      await server.runtime.feedback.flush();
      const [request] = scoreRequests(langfuse.received);
      expect(JSON.parse(request!.body)).toMatchObject({ traceId: run.traceId, value: 1 });
      expect(request!.body).not.toContain('4111');
    } finally {
      await server.close();
      await langfuse.close();
    }
  });
});

describe('the WebSocket feedback frame', () => {
  let langfuse: Awaited<ReturnType<typeof startLangfuseListener>>;
  let server: ApiServer;
  let socket: WebSocket;
  const frames: Record<string, unknown>[] = [];
  const reply = (id: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${id}; frames: ${JSON.stringify(frames)}`)), 10_000);
      const check = () => {
        const found = frames.find((frame) => frame.id === id);
        if (!found) return;
        clearTimeout(timer);
        socket.off('message', check);
        resolve(found);
      };
      socket.on('message', check);
      check();
    });
  beforeAll(async () => {
    langfuse = await startLangfuseListener({ status: 200 });
    server = await startApiServer({ script: [{ text: 'An answer.' }], overrides: langfuseAt(langfuse.url) });
    socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${server.keys.chat}` } });
    socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
  });
  afterAll(async () => {
    socket.close();
    await server.close();
    await langfuse.close();
  });

  it('records the score and answers feedback-recorded with the record; Langfuse gets the score', async () => {
    const run = await finishedRun(server);
    socket.send(JSON.stringify({ type: 'feedback', id: 'f1', run_id: run.runId, score: 1, comment: 'great' }));
    const answer = await reply('f1');
    expect(answer).toEqual({
      type: 'feedback-recorded',
      id: 'f1',
      feedback: {
        id: expect.any(String),
        thread_id: run.threadId,
        run_id: run.runId,
        trace_id: run.traceId,
        name: 'user-feedback',
        score: 1,
        comment: 'great',
        user_id: null,
        created_at: expect.any(String),
      },
    });
    await server.runtime.feedback.flush();
    const sent = scoreRequests(langfuse.received).map((request) => JSON.parse(request.body) as Record<string, unknown>);
    expect(sent).toContainEqual(expect.objectContaining({ id: (answer.feedback as { id: string }).id, traceId: run.traceId, value: 1, comment: 'great' }));
  });

  it('answers an invalid frame with WS_FRAME_INVALID and an unknown or foreign run with RUN_NOT_FOUND; the socket stays open', async () => {
    const theirs = await finishedRun(server, 'globex');
    socket.send(JSON.stringify({ type: 'feedback', id: 'f2', run_id: theirs.runId, score: 2 }));
    expect(await reply('f2')).toMatchObject({ type: 'error', code: 'WS_FRAME_INVALID' });
    socket.send(JSON.stringify({ type: 'feedback', id: 'f3', run_id: theirs.runId, score: 1 }));
    expect(await reply('f3')).toMatchObject({ type: 'error', code: 'RUN_NOT_FOUND' });
    socket.send(JSON.stringify({ type: 'feedback', id: 'f4', run_id: 'no-such-run', score: 0 }));
    expect(await reply('f4')).toMatchObject({ type: 'error', code: 'RUN_NOT_FOUND' });
    socket.send(JSON.stringify({ type: 'ping', id: 'p1' }));
    expect(await reply('p1')).toMatchObject({ type: 'pong' });
    expect(server.runtime.db.prepare('SELECT COUNT(*) FROM feedback WHERE run_id = ?').pluck().get(theirs.runId)).toBe(0);
  });
});
