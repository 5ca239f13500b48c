/**
 * Start-up time: spawn → first 200 from /healthz, for `npm start` and `trellis serve`, beside a bare Fastify
 * server started the same way (the floor: Node + Fastify with no Trellis at all). One JSON line per measurement.
 *
 *   npm run bench:startup -- [--runs 5]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;

async function timeToHealthy(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (match) resolve(match[1]!);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    for (;;) {
      const response = await fetch(`${url}/healthz`).catch(() => undefined);
      if (response?.status === 200) return performance.now() - started;
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-'));
const baselineFile = path.join(dataDir, 'bare-fastify.mjs');
writeFileSync(
  baselineFile,
  `import Fastify from '${path.join(repoRoot, 'node_modules', 'fastify', 'fastify.js')}';
const app = Fastify(); app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: 0 }); console.log('listening on http://127.0.0.1:' + app.server.address().port);
process.on('SIGTERM', () => process.exit(0));`,
);
const env: NodeJS.ProcessEnv = { ...process.env, TRELLIS_PORT: '0', TRELLIS_DATA_DIR: dataDir, TRELLIS_LOG_LEVEL: 'warn' };
const subjects: [string, string, string[]][] = [
  ['bare fastify (baseline)', 'node', [baselineFile]],
  ['trellis serve', 'node', ['bin/trellis.js', 'serve']],
  ['npm start', 'npm', ['start', '--silent']],
];
try {
  for (const [name, command, args] of subjects) {
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1) times.push(await timeToHealthy(command, args, env));
    console.log(
      JSON.stringify({ bench: 'startup', subject: name, runs, p50_ms: Math.round(percentile(times, 50)), max_ms: Math.round(Math.max(...times)) }),
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
