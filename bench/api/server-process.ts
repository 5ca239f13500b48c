/**
 * A server under test, started as its own process group so the load generator's CPU and memory stay apart from
 * the server's, and so stopping it stops whatever it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { processTree } from './process-stats.js';

export type ServerName = 'trellis' | 'langgraph';

export interface ServerUnderTest {
  readonly name: ServerName;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Headers every request carries (the API key, where the server needs one). */
  readonly headers: Readonly<Record<string, string>>;
  /** The process that answers requests: its peak RSS and CPU are the server's own. */
  readonly servingPid: number;
  /** Every process the user's command started, the launcher included. */
  tree(): number[];
  /** The last lines the server wrote, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnedServer {
  readonly child: ChildProcess;
  /** The match of `ready` in the server's output. */
  readonly ready: RegExpMatchArray;
  output(): string;
  stop(): Promise<void>;
}

const KEPT_OUTPUT_CHARS = 16_384;

/**
 * Starts `command` in a new process group and resolves once its output (stdout or stderr) matches `ready`; rejects
 * with the output so far if it exits first or takes longer than `timeoutMs`.
 */
export async function spawnServer(options: {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  ready: RegExp;
  timeoutMs: number;
}): Promise<SpawnedServer> {
  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-KEPT_OUTPUT_CHARS);
  };
  // Both streams are read for as long as the server lives: a full pipe would stall its logging, and with it the server.
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = async () => {
    if (exited) return;
    const gone = once(child, 'exit');
    signalGroup(child, 'SIGTERM');
    const killer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5_000);
    await gone;
    clearTimeout(killer);
    // Grandchildren that outlive their parent (tsx watch, esbuild) are still in the group.
    signalGroup(child, 'SIGKILL');
  };
  try {
    const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${options.command} not ready after ${options.timeoutMs} ms:\n${output}`)), options.timeoutMs);
      const check = () => {
        const match = stripAnsi(output).match(options.ready);
        if (!match) return;
        clearTimeout(timer);
        // Matching stops here: the server's output during the load must not cost the load generator anything.
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        resolve(match);
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${options.command} ${options.args.join(' ')} exited (${code ?? signal}) before it was ready:\n${output}`));
      });
    });
    return { child, ready, output: () => stripAnsi(output), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A TCP port that was free a moment ago on the loopback interface (for servers that cannot listen on port 0). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || !address) throw new Error('the OS gave no port');
  return address.port;
}

/** Polls `url` until it answers 200, for servers that announce themselves before they accept requests. */
export async function waitForOk(url: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await fetch(url).then((response) => response.status, () => 0);
    if (status === 200) return;
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last status ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function treeOf(child: ChildProcess): () => number[] {
  return () => (child.pid === undefined ? [] : processTree(child.pid));
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is already gone.
  }
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
