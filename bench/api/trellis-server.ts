/**
 * Trellis as a user runs it: `trellis serve` in its own process, on a fresh data dir, with durable SQLite
 * checkpoints, the scripted zero-latency chat model answering "ok", no vector store (the runs never search) and
 * no rate limit (the load generator is one client). The API key comes from `trellis keys create`, as a script
 * would get one.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnServer, treeOf, waitForOk, type ServerUnderTest } from './server-process.js';

const run = promisify(execFile);

/** The tenant the benchmark's key belongs to; runs, threads and checkpoints are written under it. */
export const BENCH_TENANT = 'bench';

export interface TrellisServerOptions {
  readonly repoRoot: string;
  readonly workDir: string;
  /** The environment without any TRELLIS_* or provider variable of the machine's. */
  readonly env: NodeJS.ProcessEnv;
}

export function trellisEnvironment(options: TrellisServerOptions): NodeJS.ProcessEnv {
  const scriptPath = path.join(options.workDir, 'scripted-turns.json');
  writeFileSync(scriptPath, JSON.stringify([{ text: 'ok' }]));
  const dataDir = path.join(options.workDir, 'trellis-data');
  mkdirSync(dataDir, { recursive: true });
  return {
    ...options.env,
    TRELLIS_DATA_DIR: dataDir,
    TRELLIS_CACHE_DIR: path.join(options.workDir, 'model-cache'),
    TRELLIS_CHAT_PROVIDER: 'scripted',
    TRELLIS_MODELS__CHAT__SCRIPT_PATH: scriptPath,
    TRELLIS_STORES__VECTOR__PROVIDER: 'none',
    TRELLIS_MODELS__RERANKER__PROVIDER: 'none',
    TRELLIS_AUTH__RATE_LIMIT_PER_MINUTE: '0',
  };
}

export async function startTrellisServer(options: TrellisServerOptions): Promise<ServerUnderTest> {
  const env = trellisEnvironment(options);
  const cli = path.join(options.repoRoot, 'bin', 'trellis.js');
  const key = await createApiKey(cli, options.workDir, env);
  const server = await spawnServer({
    command: process.execPath,
    args: [cli, 'serve', '--host', '127.0.0.1', '--port', '0'],
    cwd: options.workDir,
    env,
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    timeoutMs: 120_000,
  });
  const url = server.ready[1]!;
  try {
    await waitForOk(`${url}/healthz`, 30_000);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    name: 'trellis',
    url,
    headers: { authorization: `Bearer ${key}` },
    servingPid: server.child.pid!,
    tree: treeOf(server.child),
    output: server.output,
    stop: server.stop,
  };
}

/** `trellis keys create` prints the new key alone on its last line of stdout. */
async function createApiKey(cli: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const args = [cli, 'keys', 'create', '--tenant', BENCH_TENANT, '--scopes', 'chat'];
  const { stdout } = await run(process.execPath, args, { cwd, env }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`\`trellis ${args.slice(1).join(' ')}\` failed: ${error.stderr || error.message}`);
  });
  const key = stdout.trim().split('\n').at(-1)?.trim();
  if (!key) throw new Error(`\`trellis ${args.slice(1).join(' ')}\` printed no key`);
  return key;
}
