import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import type { ServerFrame } from '../../../api/routes/websocket/frames.js';
import { ScriptedChatModel, type ScriptedTurn } from '../../../core/models/scripted-chat-model.js';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';

const LONG_ANSWER = Array.from({ length: 300 }, (_, index) => `word${index}`).join(' ');

// Turns are picked by the user's message (`match`), so tests may run in any order on one server.
const SCRIPT: ScriptedTurn[] = [
  { match: '^please fetch', toolCalls: [{ name: 'http_fetch', args: { url: 'http://127.0.0.1:9/status' }, id: 'call_fetch' }] },
  // Streamed word by word, a timer tick apart: time enough to drop the connection mid-answer.
  { match: '^count slowly', text: LONG_ANSWER },
  { match: '^hold', text: 'held', delayMs: 10_000 },
  { text: 'Done: the fetch was handled.' },
];

/** A received frame: the fields every test reads typed, the rest left to assertions. */
interface Frame {
  readonly type: ServerFrame['type'];
  readonly id?: string | number;
  readonly run_id?: string;
  readonly thread_id?: string;
  readonly seq?: number;
  readonly [field: string]: unknown;
}

/** A `ws` client that keeps every frame it receives and waits for the ones a test expects. */
class FrameClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private listeners: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: RawData) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const listener of this.listeners) listener();
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(url: string, options: { key?: string; query?: string } = {}): Promise<FrameClient> {
    const headers = options.key ? { authorization: `Bearer ${options.key}` } : undefined;
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws${options.query ?? ''}`, { headers });
    const client = new FrameClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(frame: Record<string, unknown> | string | Buffer): void {
    this.socket.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** The first frame, received so far or later, that matches. */
  waitFor(match: (frame: Frame) => boolean, timeoutMs = 15_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(match);
        if (!found) return false;
        this.listeners = this.listeners.filter((listener) => listener !== onFrame);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const onFrame = () => void check();
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((listener) => listener !== onFrame);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((frame) => frame.type))}`));
      }, timeoutMs);
      if (!check()) this.listeners.push(onFrame);
    });
  }

  reply(id: string): Promise<Frame> {
    return this.waitFor((frame) => frame.id === id);
  }

  /** Every frame of one run's stream, once its `stream-end` has come. */
  async streamOf(runId: string): Promise<Frame[]> {
    await this.waitFor((frame) => frame.type === 'stream-end' && frame.run_id === runId);
    return this.frames.filter((frame) => frame.run_id === runId && typeof frame.seq === 'number');
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * What a refused upgrade answers: its HTTP status and error body, once the server has closed the connection (the
 * client keeps it open, as a careless or hostile one would: such a socket must not hold up the server's shutdown).
 */
function refusedUpgrade(url: string, headers: Record<string, string>, query = ''): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws${query}`, { headers });
    socket.once('open', () => reject(new Error('the upgrade was accepted')));
    socket.once('error', () => undefined);
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.socket.once('close', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(body) }));
    });
  });
}

const textOf = (frames: readonly Frame[]) => frames.filter((frame) => frame.type === 'token').map((frame) => frame.text).join('');
const eventOf = (frames: readonly Frame[], type: string) =>
  frames.find((frame) => frame.type === 'event' && (frame.event as { type: string }).type === type)?.event as Record<string, unknown> | undefined;
const withoutTime = (frames: readonly Frame[]) => frames.map(({ ts: _ts, ...rest }) => rest);

describe('WebSocket /ws', () => {
  let server: ApiServer;
  let model: ScriptedChatModel;
  beforeAll(async () => {
    server = await startApiServer({ script: SCRIPT, overrides: { limits: { requestBodyBytes: 4096 } } });
    const chat = server.runtime.models.chat;
    if (chat.mode !== 'model' || !(chat.model instanceof ScriptedChatModel)) throw new Error('expected the scripted model');
    model = chat.model;
  });
  afterAll(async () => {
    await server.close();
  });

  describe('a chat with tool approval', () => {
    it('sends the approval request as an interrupt frame, and approving it runs the tool and finishes with tokens', async () => {
      const client = await FrameClient.open(server.url, { key: server.keys.chat });
      client.send({ type: 'start', id: 'start-1', target: 'assistant', message: 'please fetch the status page' });
      const created = await client.reply('start-1');
      expect(created).toEqual({ type: 'run-created', id: 'start-1', run_id: expect.any(String), thread_id: expect.any(String), status: 'pending' });
      const first = await client.streamOf(created.run_id as string);
      const interrupt = first.find((frame) => frame.type === 'interrupt');
      expect(interrupt).toMatchObject({
        run_id: created.run_id,
        seq: expect.any(Number),
        value: { type: 'approval-request', requests: [{ toolCallId: 'call_fetch', name: 'http_fetch', args: { url: 'http://127.0.0.1:9/status' } }] },
      });
      expect(eventOf(first, 'run-end')).toMatchObject({ status: 'interrupted' });
      expect(eventOf(first, 'run-end')).not.toHaveProperty('state');
      expect(client.frames.at(-1)).toEqual({ type: 'stream-end', run_id: created.run_id, status: 'interrupted', last_seq: first.at(-1)!.seq });

      client.send({ type: 'approve', id: 'approve-1', thread_id: created.thread_id });
      const resumed = await client.reply('approve-1');
      expect(resumed).toMatchObject({ type: 'run-created', thread_id: created.thread_id });
      const second = await client.streamOf(resumed.run_id as string);
      // Approved, the tool really ran: the loopback address is refused by its SSRF guard, and the model saw that.
      expect(eventOf(second, 'tool-result')).toMatchObject({ toolCallId: 'call_fetch', name: 'http_fetch', status: 'error' });
      expect(textOf(second)).toBe('Done: the fetch was handled.');
      expect(eventOf(second, 'run-end')).toMatchObject({ status: 'completed', answer: 'Done: the fetch was handled.' });
      expect(client.frames.at(-1)).toMatchObject({ type: 'stream-end', run_id: resumed.run_id, status: 'completed' });
      client.close();
    });

    it('rejecting tells the model the reason instead of running the tool', async () => {
      const client = await FrameClient.open(server.url, { key: server.keys.chat });
      client.send({ type: 'start', id: 'start-2', target: 'assistant', message: 'please fetch it again' });
      const created = await client.reply('start-2');
      await client.waitFor((frame) => frame.type === 'interrupt' && frame.run_id === created.run_id);
      await client.streamOf(created.run_id as string);

      client.send({ type: 'reject', id: 'reject-1', thread_id: created.thread_id, reason: 'not that host' });
      const resumed = await client.reply('reject-1');
      const frames = await client.streamOf(resumed.run_id as string);
      expect(eventOf(frames, 'run-end')).toMatchObject({ status: 'completed' });
      expect(textOf(frames)).toBe('Done: the fetch was handled.');
      const shown = model.calls.at(-1)!.messages.at(-1)!;
      expect(shown.text).toContain('not that host');
      client.close();
    });

    it('a resume value the approval cannot take ends the run with RUN_RESUME_INVALID', async () => {
      const client = await FrameClient.open(server.url, { key: server.keys.chat });
      client.send({ type: 'start', id: 'start-3', target: 'assistant', message: 'please fetch once more' });
      const created = await client.reply('start-3');
      await client.streamOf(created.run_id as string);
      client.send({ type: 'resume', id: 'resume-bad', thread_id: created.thread_id, value: { action: 'maybe' } });
      const resumed = await client.reply('resume-bad');
      const frames = await client.streamOf(resumed.run_id as string);
      expect(eventOf(frames, 'run-error')).toMatchObject({ code: 'RUN_RESUME_INVALID' });
      // The thread still waits for a decision, and a valid one goes through.
      client.send({ type: 'resume', id: 'resume-good', thread_id: created.thread_id, value: { decisions: { call_fetch: { action: 'approve' } } } });
      const retried = await client.reply('resume-good');
      expect(eventOf(await client.streamOf(retried.run_id as string), 'run-end')).toMatchObject({ status: 'completed' });
      client.close();
    });
  });

  describe('reconnecting', () => {
    it('a client that drops mid-stream and subscribes from its last seq gets every remaining event exactly once', async () => {
      const first = await FrameClient.open(server.url, { key: server.keys.chat });
      first.send({ type: 'start', id: 'long', target: 'assistant', message: 'count slowly please' });
      const created = await first.reply('long');
      const runId = created.run_id as string;
      await first.waitFor(() => first.frames.filter((frame) => frame.type === 'token').length >= 20);
      // An abrupt drop: whatever was in flight is lost, and the client knows only the last seq it read.
      first.socket.terminate();
      const seen = first.frames.filter((frame) => frame.run_id === runId && typeof frame.seq === 'number');
      const lastSeen = seen.at(-1)!.seq!;

      const second = await FrameClient.open(server.url, { key: server.keys.chat });
      second.send({ type: 'subscribe', id: 'again', run_id: runId, after_seq: lastSeen });
      expect(await second.reply('again')).toMatchObject({ type: 'subscribed', run_id: runId, thread_id: created.thread_id, after_seq: lastSeen });
      const rest = await second.streamOf(runId);
      expect(rest[0]!.seq).toBe(lastSeen + 1);
      expect(textOf(rest).length).toBeGreaterThan(0);

      const full = await FrameClient.open(server.url, { key: server.keys.chat });
      full.send({ type: 'subscribe', run_id: runId });
      const log = await full.streamOf(runId);
      expect(withoutTime([...seen, ...rest])).toEqual(withoutTime(log));
      expect(log.map((frame) => frame.seq)).toEqual(log.map((_, index) => index + 1));
      // The run went on while no one was connected.
      expect(eventOf(log, 'run-end')).toMatchObject({ status: 'completed', answer: LONG_ANSWER });
      expect(textOf(log)).toBe(LONG_ANSWER);
      second.close();
      full.close();
    });
  });

  describe('control frames', () => {
    it('answers ping with pong, echoing string and numeric ids', async () => {
      const client = await FrameClient.open(server.url, { key: server.keys.chat });
      client.send({ type: 'ping', id: 'p-1' });
      client.send({ type: 'ping', id: 7 });
      expect(await client.reply('p-1')).toEqual({ type: 'pong', id: 'p-1', ts: expect.any(Number) });
      expect(await client.waitFor((frame) => frame.id === 7)).toEqual({ type: 'pong', id: 7, ts: expect.any(Number) });
      client.close();
    });

    it('cancel stops a streaming run: cancelled reply, RUN_CANCELLED event, stream-end', async () => {
      const client = await FrameClient.open(server.url, { key: server.keys.chat });
      client.send({ type: 'start', id: 'to-cancel', target: 'assistant', message: 'count slowly again' });
      const created = await client.reply('to-cancel');
      await client.waitFor((frame) => frame.type === 'token' && frame.run_id === created.run_id);
      client.send({ type: 'cancel', id: 'cancel-1', run_id: created.run_id });
      expect(await client.reply('cancel-1')).toEqual({ type: 'cancelled', id: 'cancel-1', run_id: created.run_id, status: 'cancelled' });
      const frames = await client.streamOf(created.run_id as string);
      expect(eventOf(frames, 'run-error')).toMatchObject({ code: 'RUN_CANCELLED' });
      expect(textOf(frames).length).toBeLessThan(LONG_ANSWER.length);
      expect(client.frames.find((frame) => frame.type === 'stream-end')).toMatchObject({ run_id: created.run_id, status: 'cancelled' });
      expect(server.runtime.runManager.get('acme', created.run_id as string).status).toBe('cancelled');
      client.close();
    });

    it('unsubscribe stops the frames of a run, which goes on', async () => {
      const client = await FrameClient.open(server.url, { key: server.keys.chat });
      client.send({ type: 'start', id: 'quiet', target: 'assistant', message: 'count slowly, quietly' });
      const created = await client.reply('quiet');
      await client.waitFor((frame) => frame.type === 'token' && frame.run_id === created.run_id);
      client.send({ type: 'unsubscribe', id: 'unsub', run_id: created.run_id });
      expect(await client.reply('unsub')).toEqual({ type: 'unsubscribed', id: 'unsub', run_id: created.run_id });
      const done = await server.runtime.runManager.attach('acme', created.run_id as string).done;
      expect(done.status).toBe('completed');
      expect(client.frames.some((frame) => frame.type === 'stream-end' || eventOf([frame], 'run-end'))).toBe(false);
      client.close();
    });

    it('refuses a run beyond the per-socket limit with WS_RUN_LIMIT', async () => {
      const client = await FrameClient.open(server.url, { key: server.keys.chat });
      const runIds: string[] = [];
      for (let index = 0; index < 16; index += 1) {
        client.send({ type: 'start', id: `hold-${index}`, target: 'assistant', message: 'hold on' });
        runIds.push((await client.reply(`hold-${index}`)).run_id as string);
      }
      client.send({ type: 'start', id: 'one-too-many', target: 'assistant', message: 'hold on' });
      expect(await client.reply('one-too-many')).toMatchObject({ type: 'error', code: 'WS_RUN_LIMIT', hint: expect.any(String) });
      for (const runId of runIds) client.send({ type: 'cancel', id: `cancel-${runId}`, run_id: runId });
      await Promise.all(runIds.map((runId) => client.reply(`cancel-${runId}`)));
      client.close();
    });
  });

  describe('bad frames', () => {
    it('answers each with an error frame and a code, and the socket stays open', async () => {
      const client = await FrameClient.open(server.url, { key: server.keys.chat });
      const errorAfter = async (count: number) => {
        await client.waitFor(() => client.frames.length > count);
        return client.frames[count];
      };
      const cases: [Record<string, unknown> | string | Buffer, Record<string, unknown>][] = [
        ['{"type": "ping"', { code: 'WS_FRAME_INVALID' }],
        ['[1, 2]', { code: 'WS_FRAME_INVALID' }],
        [{ id: 'u', type: 'teleport' }, { id: 'u', code: 'WS_FRAME_TYPE_UNKNOWN', message: expect.stringContaining('subscribe') }],
        [{ id: 'n' }, { id: 'n', code: 'WS_FRAME_TYPE_UNKNOWN' }],
        [{ id: 'm', type: 'start', target: 'assistant' }, { id: 'm', code: 'WS_FRAME_INVALID', message: expect.stringContaining('message') }],
        [{ id: 't', type: 'approve', threadId: 'x' }, { id: 't', code: 'WS_FRAME_INVALID' }],
        [{ id: 's', type: 'subscribe', run_id: 'r', after_seq: -1 }, { id: 's', code: 'WS_FRAME_INVALID' }],
        [Buffer.from([0xde, 0xad]), { code: 'WS_FRAME_INVALID', message: expect.stringContaining('binary') }],
        [JSON.stringify({ type: 'start', message: 'x'.repeat(5000) }), { code: 'WS_FRAME_TOO_LARGE' }],
      ];
      for (const [frame, expected] of cases) {
        const count = client.frames.length;
        if (Buffer.isBuffer(frame)) client.socket.send(frame, { binary: true });
        else client.send(frame);
        expect(await errorAfter(count)).toEqual({ type: 'error', message: expect.any(String), hint: expect.any(String), ...expected });
      }
      client.send({ type: 'ping', id: 'still-there' });
      expect(await client.reply('still-there')).toMatchObject({ type: 'pong' });
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
      client.close();
    });

    it('closes the socket with 1009 for a frame beyond what the server reads at all', async () => {
      const client = await FrameClient.open(server.url, { key: server.keys.chat });
      client.send('x'.repeat(4096 * 2 + 1));
      expect((await client.closed).code).toBe(1009);
    });
  });

  describe('authentication and tenants', () => {
    it('refuses an upgrade without a key, or with a wrong one, with 401 and a code', async () => {
      expect(await refusedUpgrade(server.url, {})).toEqual({ status: 401, body: { error: expect.objectContaining({ code: 'AUTH_REQUIRED' }) } });
      expect(await refusedUpgrade(server.url, { authorization: 'Bearer trk_wrong' })).toEqual({
        status: 401,
        body: { error: expect.objectContaining({ code: 'AUTH_INVALID' }) },
      });
      expect(await refusedUpgrade(server.url, {}, '?api_key=trk_wrong')).toMatchObject({ status: 401 });
    });

    it('refuses a key without the chat scope with 403', async () => {
      expect(await refusedUpgrade(server.url, { authorization: `Bearer ${server.keys.ingest}` })).toMatchObject({
        status: 403,
        body: { error: { code: 'AUTH_SCOPE_MISSING' } },
      });
    });

    it('answers a plain GET without an upgrade with 426 and a code', async () => {
      const response = await server.request('/ws', { key: server.keys.chat });
      expect(response.status).toBe(426);
      expect(await response.json()).toMatchObject({ error: { code: 'API_UPGRADE_REQUIRED' } });
    });

    it('takes the key as x-api-key or, for browsers, as ?api_key=', async () => {
      const fromQuery = await FrameClient.open(server.url, { query: `?api_key=${server.keys.chat}` });
      fromQuery.send({ type: 'ping', id: 'q' });
      expect(await fromQuery.reply('q')).toMatchObject({ type: 'pong' });
      fromQuery.close();
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`, { headers: { 'x-api-key': server.keys.chat } });
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.close();
    });

    it("answers another tenant's run and thread ids as not found, and never streams them", async () => {
      const owner = await FrameClient.open(server.url, { key: server.keys.chat });
      owner.send({ type: 'start', id: 'mine', target: 'assistant', message: 'please fetch a secret' });
      const created = await owner.reply('mine');
      await owner.streamOf(created.run_id as string);

      const other = await FrameClient.open(server.url, { key: server.keys.otherTenant });
      other.send({ type: 'subscribe', id: 'steal', run_id: created.run_id });
      other.send({ type: 'cancel', id: 'kill', run_id: created.run_id });
      other.send({ type: 'approve', id: 'approve', thread_id: created.thread_id });
      other.send({ type: 'start', id: 'join', thread_id: created.thread_id, message: 'hello' });
      other.send({ type: 'subscribe', id: 'unknown', run_id: 'no-such-run' });
      expect(await other.reply('steal')).toMatchObject({ type: 'error', code: 'RUN_NOT_FOUND' });
      expect(await other.reply('kill')).toMatchObject({ type: 'error', code: 'RUN_NOT_FOUND' });
      expect(await other.reply('approve')).toMatchObject({ type: 'error', code: 'THREAD_NOT_FOUND' });
      expect(await other.reply('join')).toMatchObject({ type: 'error', code: 'THREAD_NOT_FOUND' });
      expect(await other.reply('unknown')).toMatchObject({ type: 'error', code: 'RUN_NOT_FOUND' });
      expect(other.frames.every((frame) => frame.type === 'error')).toBe(true);
      // The owner's thread is untouched: still waiting for its approval.
      expect(server.runtime.runManager.get('acme', created.run_id as string).status).toBe('interrupted');
      owner.close();
      other.close();
    });

    it('closes a socket whose key is revoked: at its next frame, and within seconds when it only listens', async () => {
      const talker = server.createKey('acme', ['chat']);
      const listener = server.createKey('acme', ['chat']);
      const talking = await FrameClient.open(server.url, { key: talker });
      const listening = await FrameClient.open(server.url, { key: listener });
      talking.send({ type: 'ping', id: 'before' });
      expect(await talking.reply('before')).toMatchObject({ type: 'pong' });

      const idOf = (key: string) => key.split('_')[1]!;
      server.runtime.apiKeys.revoke(idOf(talker));
      server.runtime.apiKeys.revoke(idOf(listener));
      talking.send({ type: 'ping', id: 'after' });
      expect(await talking.closed).toEqual({ code: 1008, reason: 'API key revoked' });
      expect(talking.frames.some((frame) => frame.id === 'after')).toBe(false);
      expect(await listening.closed).toEqual({ code: 1008, reason: 'API key revoked' });
    }, 20_000);
  });
});

describe('WebSocket /ws on shutdown', () => {
  it('closes open sockets with 1001 and a reason', async () => {
    const server = await startApiServer({ script: SCRIPT });
    const client = await FrameClient.open(server.url, { key: server.keys.chat });
    const stopped = server.close();
    expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    await stopped;
  });
});
