/**
 * Time to first token of one chat run, three ways: as a WebSocket client sees it (`start` frame sent → first
 * `token` frame), as an SSE client sees it (streaming `POST /v1/chat/completions` sent → first content delta), and
 * the server's own (the same kind of run started on a runtime in this process, `runManager.start` → first
 * `token-delta` entry; no transport at all). What WebSocket adds is its TTFT minus the in-process one. Samples are
 * taken one at a time, the three ways interleaved, each run finished before the next starts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { createRuntime, type Runtime } from '../../runtime/create-runtime.js';
import { percentile, round } from '../lib/stats.js';
import { TARGET } from './scenarios.js';
import type { ServerUnderTest } from './server-process.js';
import { BENCH_TENANT } from './trellis-server.js';

export type TtftTransport = 'websocket' | 'sse' | 'in-process';

export interface TtftSummary {
  readonly transport: TtftTransport;
  readonly samples: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly mean_ms: number;
}

type Probe = () => Promise<number>;

/** One run of a zero-latency model takes milliseconds; one that takes this long is a hang, not a sample. */
const PROBE_TIMEOUT_MS = 30_000;

export async function measureTtft(options: {
  server: ServerUnderTest;
  /** The server's environment: the in-process runtime is configured the same way, on its own data dir. */
  env: NodeJS.ProcessEnv;
  workDir: string;
  samples: number;
  /** Untimed samples of each kind first. */
  warmup: number;
  /**
   * Untimed runs on the in-process runtime before that: the server has served thousands of runs by now, and a
   * runtime fresh from start-up would be slower only for being cold (JIT, lazy imports).
   */
  inProcessWarmup: number;
}): Promise<TtftSummary[]> {
  const socket = await openSocket(options.server);
  let started: Runtime | undefined;
  try {
    const runtime = (started = await startInProcessRuntime(options.env, options.workDir));
    for (let run = 0; run < options.inProcessWarmup; run += 1) await inProcessTtft(runtime);
    const probes: [TtftTransport, Probe][] = [
      ['websocket', webSocketProbe(socket)],
      ['sse', () => sseTtft(options.server)],
      ['in-process', () => inProcessTtft(runtime)],
    ];
    const times = new Map<TtftTransport, number[]>(probes.map(([transport]) => [transport, []]));
    for (let sample = 0; sample < options.warmup + options.samples; sample += 1) {
      // Rotating the order spreads whatever the previous probe leaves behind (garbage, a busy core) over all three.
      for (let index = 0; index < probes.length; index += 1) {
        const [transport, probe] = probes[(sample + index) % probes.length]!;
        const ms = await probe();
        if (sample >= options.warmup) times.get(transport)!.push(ms);
      }
    }
    return probes.map(([transport]) => summarize(transport, times.get(transport)!));
  } finally {
    socket.close();
    await started?.stop();
  }
}

function summarize(transport: TtftTransport, samples: number[]): TtftSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    transport,
    samples: sorted.length,
    p50_ms: round(percentile(sorted, 0.5), 2),
    p99_ms: round(percentile(sorted, 0.99), 2),
    mean_ms: round(sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length), 2),
  };
}

async function openSocket(server: ServerUnderTest): Promise<WebSocket> {
  const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`, { headers: { ...server.headers } });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`GET /ws answered ${response.statusCode} instead of upgrading`)));
  });
  return socket;
}

type ServerFrame = { type: string; id?: number | string; run_id?: string; code?: string; message?: string };

/** One run per call on an open socket: `start` → first `token` frame, then waits for its `stream-end`. */
function webSocketProbe(socket: WebSocket): Probe {
  let frameId = 0;
  return () =>
    new Promise<number>((resolve, reject) => {
      const id = ++frameId;
      let runId: string | undefined;
      let firstToken: number | undefined;
      const sent = performance.now();
      const onMessage = (data: WebSocket.RawData) => {
        const frame = JSON.parse(data.toString()) as ServerFrame;
        if (frame.type === 'error' && frame.id === id) return finish(new Error(`/ws start failed: ${frame.code} ${frame.message}`));
        if (frame.type === 'run-created' && frame.id === id) runId = frame.run_id;
        if (frame.run_id === undefined || frame.run_id !== runId) return;
        if (frame.type === 'token' && firstToken === undefined) firstToken = performance.now() - sent;
        if (frame.type === 'stream-end') {
          finish(firstToken === undefined ? new Error(`/ws run ${runId} ended without a token frame`) : undefined);
        }
      };
      const onClose = () => finish(new Error('/ws closed during a run'));
      const timer = setTimeout(() => finish(new Error(`/ws run ${runId ?? '(not created)'} did not end within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        socket.off('message', onMessage);
        socket.off('close', onClose);
        if (error) reject(error);
        else resolve(firstToken!);
      };
      socket.on('message', onMessage);
      socket.once('close', onClose);
      socket.send(JSON.stringify({ type: 'start', id, target: TARGET, message: 'hi' }));
    });
}

/** One streaming completion: request sent → first chunk with content, then the rest of the stream is read. */
async function sseTtft(server: ServerUnderTest): Promise<number> {
  const sent = performance.now();
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...server.headers },
    body: JSON.stringify({ model: TARGET, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  if (response.status !== 200 || !response.body) throw new Error(`streaming /v1/chat/completions answered ${response.status}: ${await response.text()}`);
  let firstToken: number | undefined;
  let buffered = '';
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    if (firstToken !== undefined) continue;
    buffered += decoder.decode(read.value, { stream: true });
    const lines = buffered.split('\n');
    // The last piece may be a line still arriving: it waits for the next read.
    buffered = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice('data: '.length)) as { choices?: { delta?: { content?: string } }[] };
      if (chunk.choices?.[0]?.delta?.content) {
        firstToken = performance.now() - sent;
        break;
      }
    }
  }
  if (firstToken === undefined) throw new Error('streaming /v1/chat/completions ended without a content delta');
  return firstToken;
}

async function inProcessTtft(runtime: Runtime): Promise<number> {
  const started = performance.now();
  const handle = runtime.runManager.start(BENCH_TENANT, { target: TARGET, message: 'hi' });
  let firstToken: number | undefined;
  for await (const entry of handle.entries()) {
    if (firstToken === undefined && entry.kind === 'event' && entry.event.type === 'token-delta') firstToken = performance.now() - started;
  }
  await handle.done;
  if (firstToken === undefined) throw new Error('the in-process run ended without a token-delta');
  return firstToken;
}

async function startInProcessRuntime(env: NodeJS.ProcessEnv, workDir: string): Promise<Runtime> {
  const dataDir = path.join(workDir, 'in-process-data');
  mkdirSync(dataDir, { recursive: true });
  const config = loadConfig({ env: { ...env, TRELLIS_DATA_DIR: dataDir }, cwd: workDir });
  const runtime = await createRuntime({ config, logger: createLogger({ level: 'warn' }) });
  await runtime.start();
  return runtime;
}
