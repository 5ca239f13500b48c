/**
 * `npm run bench:ws-soak`: many WebSocket chats at once for a while, against `trellis serve` in its own process on
 * a loopback port (port 0), with the scripted zero-latency model streaming a 20-word answer word by word.
 *
 *   npm run bench:ws-soak -- [--clients 200] [--seconds 60]
 *
 * Each client opens one socket and chats in a closed loop (`start` → tokens → `stream-end` → next `start`), on one
 * thread for TURNS_PER_THREAD turns, then on a fresh one. Counted: errors (error frames, `run-error` events,
 * unexpected closes, runs that never end), lost and repeated events (every run's frames must carry each `seq` from 1
 * to its last exactly once, the last being the one `stream-end` names), frame latency (the server's `ts` in each
 * frame to its arrival here; one machine, one clock), time to first token (`start` sent → first `token` frame), and
 * the server's peak RSS and CPU time, read from /proc. The load generator shares the machine: on few cores, its
 * own work (parsing every frame of every client) is part of the latency it measures.
 *
 * Output: one JSON line with every figure; a readable summary on stderr.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import WebSocket from 'ws';
import { cpuSeconds, peakRssMb } from './api/process-stats.js';
import { TARGET, TURNS_PER_THREAD } from './api/scenarios.js';
import { spawnServer, waitForOk } from './api/server-process.js';
import { trellisEnvironment } from './api/trellis-server.js';
import { percentile, printLine, round } from './lib/stats.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ANSWER = 'Trellis streams this answer to every chat word by word, so that each run sends twenty token frames in order.';
/** A run that has not ended after this long counts as stalled, and its client moves on. */
const RUN_TIMEOUT_MS = 30_000;

const { values } = parseArgs({ options: { clients: { type: 'string', default: '200' }, seconds: { type: 'string', default: '60' } } });
const clientCount = Number(values.clients);
const seconds = Number(values.seconds);
if (!Number.isInteger(clientCount) || clientCount < 1 || !(seconds > 0)) throw new Error('--clients takes a positive integer and --seconds a positive number');

/** Everything the clients observe, pooled. */
class Tally {
  runs = 0;
  frames = 0;
  tokens = 0;
  errorFrames = 0;
  runErrors = 0;
  disconnects = 0;
  stalledRuns = 0;
  lostEvents = 0;
  repeatedEvents = 0;
  readonly frameLatencyMs: number[] = [];
  readonly ttftMs: number[] = [];
  readonly errorSamples = new Map<string, number>();

  noteError(what: string): void {
    this.errorSamples.set(what, (this.errorSamples.get(what) ?? 0) + 1);
  }
}

/** The run a client is waiting on: what it has received of it so far. */
interface PendingRun {
  readonly frameId: number;
  readonly sentAt: number;
  runId?: string;
  lastSeq: number;
  firstTokenSeen: boolean;
  readonly finish: () => void;
}

/** One chat: a socket, a thread it keeps for TURNS_PER_THREAD turns, and a closed loop of runs until the deadline. */
class SoakClient {
  private socket!: WebSocket;
  private threadId: string | undefined;
  private turnsOnThread = 0;
  private frameId = 0;
  private pending: PendingRun | undefined;

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly tally: Tally,
  ) {}

  async chatUntil(deadline: number): Promise<void> {
    await this.connect();
    while (performance.now() < deadline) {
      if (this.socket.readyState !== WebSocket.OPEN) await this.connect();
      await this.oneRun();
    }
    this.socket.close();
  }

  private async connect(): Promise<void> {
    const socket = new WebSocket(`${this.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${this.key}` } });
    this.socket = socket;
    socket.on('message', (data) => this.onFrame(JSON.parse(data.toString()) as Frame));
    socket.on('close', () => {
      if (socket !== this.socket || !this.pending) return;
      this.tally.disconnects += 1;
      this.tally.noteError('socket closed during a run');
      this.pending.finish();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
  }

  private oneRun(): Promise<void> {
    if (this.turnsOnThread >= TURNS_PER_THREAD) {
      this.threadId = undefined;
      this.turnsOnThread = 0;
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.tally.stalledRuns += 1;
        this.tally.noteError('run did not end in time');
        finish();
      }, RUN_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        this.pending = undefined;
        resolve();
      };
      this.frameId += 1;
      this.pending = { frameId: this.frameId, sentAt: performance.now(), lastSeq: 0, firstTokenSeen: false, finish };
      this.socket.send(JSON.stringify({ type: 'start', id: this.frameId, target: TARGET, message: 'hi', ...(this.threadId ? { thread_id: this.threadId } : {}) }));
    });
  }

  private onFrame(frame: Frame): void {
    const now = performance.timeOrigin + performance.now();
    const run = this.pending;
    const { tally } = this;
    if (frame.type === 'error') {
      tally.errorFrames += 1;
      tally.noteError(`error frame ${frame.code}`);
      if (run && frame.id === run.frameId) run.finish();
      return;
    }
    if (!run) return;
    if (frame.type === 'run-created' && frame.id === run.frameId) {
      run.runId = frame.run_id;
      this.threadId = frame.thread_id;
      this.turnsOnThread += 1;
      return;
    }
    if (frame.run_id !== run.runId) return;
    if (typeof frame.seq === 'number') {
      tally.frames += 1;
      tally.frameLatencyMs.push(now - frame.ts!);
      if (frame.seq <= run.lastSeq) tally.repeatedEvents += 1;
      else tally.lostEvents += frame.seq - run.lastSeq - 1;
      run.lastSeq = Math.max(run.lastSeq, frame.seq);
    }
    if (frame.type === 'token') {
      tally.tokens += 1;
      if (!run.firstTokenSeen) tally.ttftMs.push(performance.now() - run.sentAt);
      run.firstTokenSeen = true;
    }
    if (frame.type === 'event' && frame.event?.type === 'run-error') {
      tally.runErrors += 1;
      tally.noteError(`run-error ${frame.event.code}`);
    }
    if (frame.type === 'stream-end') {
      // Events after the last one received, up to the run's last, never came.
      tally.lostEvents += Math.max(0, frame.last_seq! - run.lastSeq);
      tally.runs += 1;
      run.finish();
    }
  }
}

type Frame = {
  type: string;
  id?: number | string;
  run_id?: string;
  thread_id?: string;
  seq?: number;
  ts?: number;
  last_seq?: number;
  code?: string;
  event?: { type: string; code?: string };
};

const workDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-ws-soak-'));
try {
  const env = trellisEnvironment({ repoRoot, workDir, env: withoutProviderVariables(process.env) });
  const scriptPath = path.join(workDir, 'soak-turns.json');
  writeFileSync(scriptPath, JSON.stringify([{ text: ANSWER }]));
  env.TRELLIS_MODELS__CHAT__SCRIPT_PATH = scriptPath;
  env.TRELLIS_LOG_LEVEL = 'warn';
  const cli = path.join(repoRoot, 'bin', 'trellis.js');
  const key = await createChatKey(cli, workDir, env);
  const server = await spawnServer({
    command: process.execPath,
    args: [cli, 'serve', '--host', '127.0.0.1', '--port', '0'],
    cwd: workDir,
    env,
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    timeoutMs: 120_000,
  });
  try {
    const url = server.ready[1]!;
    await waitForOk(`${url}/healthz`, 30_000);
    const pid = server.child.pid!;
    const tally = new Tally();
    // A few runs first, so that lazy imports and graph compilation are not counted as the first chats' latency.
    await new SoakClient(url, key, new Tally()).chatUntil(performance.now() + 1_000);
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const clients = Array.from({ length: clientCount }, () => new SoakClient(url, key, tally));
    const outcomes = await Promise.allSettled(clients.map((client) => client.chatUntil(deadline)));
    const elapsed = (performance.now() - started) / 1000;
    const failedClients = outcomes.filter((outcome) => outcome.status === 'rejected');
    for (const failure of failedClients) tally.noteError(`client failed: ${String((failure as PromiseRejectedResult).reason)}`);
    const latency = [...tally.frameLatencyMs].sort((a, b) => a - b);
    const ttft = [...tally.ttftMs].sort((a, b) => a - b);
    const errors = tally.errorFrames + tally.runErrors + tally.disconnects + tally.stalledRuns + failedClients.length;
    const line = {
      bench: 'ws-soak',
      clients: clientCount,
      seconds: round(elapsed, 1),
      runs: tally.runs,
      runs_per_s: round(tally.runs / elapsed, 1),
      frames: tally.frames,
      frames_per_s: round(tally.frames / elapsed, 0),
      tokens: tally.tokens,
      errors,
      error_kinds: Object.fromEntries(tally.errorSamples),
      lost_events: tally.lostEvents,
      repeated_events: tally.repeatedEvents,
      frame_latency_p50_ms: round(percentile(latency, 0.5), 2),
      frame_latency_p99_ms: round(percentile(latency, 0.99), 2),
      ttft_p50_ms: round(percentile(ttft, 0.5), 2),
      ttft_p99_ms: round(percentile(ttft, 0.99), 2),
      server_peak_rss_mb: peakRssMb(pid),
      server_cpu_s: round(cpuSeconds(pid) - cpuBefore, 1),
      load_generator_peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
    };
    printLine(line);
    process.stderr.write(
      `${clientCount} WebSocket chats for ${line.seconds} s: ${line.runs} runs (${line.runs_per_s}/s), ${line.frames} frames, ` +
        `${errors} errors, ${line.lost_events} lost and ${line.repeated_events} repeated events\n` +
        `frame latency p50 ${line.frame_latency_p50_ms} ms, p99 ${line.frame_latency_p99_ms} ms; ` +
        `first token p50 ${line.ttft_p50_ms} ms, p99 ${line.ttft_p99_ms} ms; server peak RSS ${line.server_peak_rss_mb} MiB\n`,
    );
  } finally {
    await server.stop();
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

/** `trellis keys create` prints the new key alone on its last line of stdout. */
async function createChatKey(cli: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'keys', 'create', '--tenant', 'bench', '--scopes', 'chat'], { cwd, env });
  const key = stdout.trim().split('\n').at(-1)?.trim();
  if (!key) throw new Error('`trellis keys create` printed no key');
  return key;
}

/** The machine's TRELLIS_* and provider settings would change what is measured. */
function withoutProviderVariables(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(environment).filter(([name]) => !/^(TRELLIS_|OPENAI_|ANTHROPIC_)/.test(name)));
}
