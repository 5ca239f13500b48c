import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { TrellisError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { CHROMA_WATCHDOG_SOURCE } from './chroma-watchdog-source.js';
import { findFreePort, isPortFree } from './free-port.js';

export interface ChromaSidecarOptions {
  /** Chroma's persist directory (e.g. `<dataDir>/chroma`); created when missing. */
  dataDir: string;
  /** Interface to listen on; loopback by default so the unauthenticated server is never exposed. */
  host?: string;
  /** Port to listen on; by default a free one is picked. */
  port?: number;
  logger: Logger;
  /** How long to wait for the first successful heartbeat. Default 30 s. */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. Default 5 s. */
  stopGraceMs?: number;
}

/** A running `chroma run` child owned by this process. */
export interface ChromaSidecar {
  /** Base URL of the server, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Pid of the child; it leads its own process group, so everything it started dies with it. */
  readonly pid: number;
  /** Time from spawn to the first successful heartbeat, in milliseconds. */
  readonly startMs: number;
  /** SIGTERM to the whole group, SIGKILL after the grace period. Idempotent; resolves once the child is gone. */
  stop(): Promise<void>;
}

const OUTPUT_LINES_KEPT = 20;
const HEARTBEAT_INTERVAL_MS = 100;
const BIND_FAILURE = /not available|address already in use|addrinuse/i;

/**
 * Starts Chroma's local server from the `chromadb` package's CLI and waits until it answers its heartbeat.
 *
 * The child can never outlive this process: `stop()` kills its process group, an `exit` hook kills it when this
 * process exits normally, and a watchdog inside the child kills it when this process dies any other way.
 *
 * @example
 * const chroma = await startChromaSidecar({ dataDir: path.join(dataDir, 'chroma'), logger });
 * try { const store = createChromaVectorStore({ url: chroma.url, logger }); … } finally { await chroma.stop(); }
 */
export async function startChromaSidecar(options: ChromaSidecarOptions): Promise<ChromaSidecar> {
  const host = options.host ?? '127.0.0.1';
  const cliPath = resolveChromaCli();
  try {
    mkdirSync(options.dataDir, { recursive: true });
  } catch (error) {
    throw new TrellisError('VECTOR_STORE_START_FAILED', `cannot create Chroma's data dir ${options.dataDir}`, {
      cause: error,
    });
  }
  const port = options.port ?? (await findFreePort(host));
  try {
    return await startOnce(options, cliPath, host, port);
  } catch (error) {
    if (!(error instanceof BindFailure)) throw error;
    // A picked port can be taken between probe and bind; a given one may still be held by a child that just died.
    const retryPort = options.port === undefined ? await findFreePort(host) : port;
    options.logger.debug({ port, retryPort }, 'chroma could not bind; retrying once');
    if (options.port !== undefined) await delay(500);
    try {
      return await startOnce(options, cliPath, host, retryPort);
    } catch (retryError) {
      throw retryError instanceof BindFailure ? retryError.toTrellisError() : retryError;
    }
  }
}

/** The `chroma` bin of the installed `chromadb` package (`dist/cli.mjs`, beside the CommonJS entry's folder). */
function resolveChromaCli(): string {
  let cliPath: string;
  try {
    const entry = createRequire(import.meta.url).resolve('chromadb');
    cliPath = path.resolve(path.dirname(entry), '..', 'cli.mjs');
  } catch (error) {
    throw new TrellisError('VECTOR_STORE_START_FAILED', 'the chromadb package is not installed', { cause: error });
  }
  if (!existsSync(cliPath)) {
    throw new TrellisError('VECTOR_STORE_START_FAILED', `the chromadb package has no CLI at ${cliPath}`);
  }
  return cliPath;
}

async function startOnce(options: ChromaSidecarOptions, cliPath: string, host: string, port: number): Promise<ChromaSidecar> {
  const { logger, dataDir } = options;
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!(await isPortFree(host, port))) throw new BindFailure(host, port, [`${host}:${port} is already in use`]);
  const args = ['run', '--path', dataDir, '--host', host, '--port', String(port)];
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHROMA_WATCHDOG_SOURCE, cliPath, ...args], {
    // Own process group: stop() signals the group, and a Ctrl-C at the terminal reaches Trellis, which stops it in order.
    detached: true,
    // stdin is the watchdog pipe: never written, only closed (by us or by the kernel when this process dies).
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const pid = child.pid;
  if (pid === undefined) {
    const reason = await new Promise<string>((resolve) => child.once('error', (error) => resolve(error.message)));
    throw new TrellisError('VECTOR_STORE_START_FAILED', `cannot spawn the chroma CLI: ${reason}`);
  }
  const recentOutput = captureOutput(child, logger.child({ component: 'chroma', childPid: pid }));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // The one path this file cannot cover with stop(): a plain process.exit() elsewhere. Signals are synchronous here.
  const killOnExit = () => killGroup(pid, 'SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(pid, 'SIGTERM');
        const graceful = await Promise.race([exited.then(() => true), delay(options.stopGraceMs ?? 5_000).then(() => false)]);
        if (!graceful) {
          logger.warn({ childPid: pid }, 'chroma ignored SIGTERM; killing it');
          killGroup(pid, 'SIGKILL');
          await exited;
        }
      }
      child.stdin?.destroy();
      process.removeListener('exit', killOnExit);
    })();
    return stopping;
  };

  const outcome = await Promise.race([
    waitForHeartbeat(url, timeoutMs).then((ok) => (ok ? ('ready' as const) : ('timeout' as const))),
    exited.then((status) => status),
  ]);
  // A heartbeat can come from another server that won the port race while ours failed to bind: check ours lives.
  if (outcome === 'ready' && child.exitCode === null && child.signalCode === null) {
    const startMs = Math.round(performance.now() - startedAt);
    logger.info({ url, childPid: pid, dataDir, startMs }, 'chroma sidecar started');
    child.once('exit', (code, signal) => {
      if (!stopping) logger.warn({ childPid: pid, code, signal }, 'chroma sidecar exited unexpectedly');
    });
    return { url, host, port, pid, startMs, stop };
  }
  await stop();
  const status = await exited;
  const lines = recentOutput();
  if (outcome !== 'timeout' && BIND_FAILURE.test(lines.join('\n'))) throw new BindFailure(host, port, lines);
  const why =
    outcome === 'timeout'
      ? `did not answer ${url}/api/v2/heartbeat within ${timeoutMs} ms`
      : `exited during start-up (code ${status.code}, signal ${status.signal})`;
  throw new TrellisError('VECTOR_STORE_START_FAILED', `chroma ${why}; last output:\n${lines.join('\n')}`, {
    details: { url, dataDir, output: lines },
  });
}

/** Logs each output line at debug and keeps the last few for start-up errors. */
function captureOutput(child: ChildProcess, logger: Logger): () => string[] {
  const kept: string[] = [];
  const onData = (chunk: Buffer) => {
    // The CLI prints a coloured banner whatever NO_COLOR says; strip escapes so logs and errors stay readable.
    for (const raw of chunk.toString('utf8').split(/\r?\n/)) {
      const line = stripVTControlCharacters(raw).trimEnd();
      if (line.trim() === '') continue;
      logger.debug(line);
      kept.push(line);
      if (kept.length > OUTPUT_LINES_KEPT) kept.shift();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return () => [...kept];
}

async function waitForHeartbeat(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const response = await fetch(`${url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return true;
    } catch {
      // Not listening yet: keep polling until the deadline.
    }
    await delay(HEARTBEAT_INTERVAL_MS);
  }
  return false;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Internal: the server could not bind its port, so start-up may be retried. */
class BindFailure extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly output: string[],
  ) {
    super(`chroma could not listen on ${host}:${port}`);
  }

  toTrellisError(): TrellisError {
    return new TrellisError('VECTOR_STORE_START_FAILED', `${this.message}; last output:\n${this.output.join('\n')}`, {
      hint: 'Another program holds the port: leave the Chroma port unset to pick a free one, or stop that program.',
      details: { host: this.host, port: this.port, output: this.output },
    });
  }
}
