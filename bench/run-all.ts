/**
 * `npm run bench`: every benchmark with its default arguments, one after another (they would skew each other's
 * timings in parallel). Each prints its own JSON lines; this only sequences them and stops at the first failure.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const benches: [file: string, args: string[]][] = [
  ['startup.ts', ['--runs', '5']],
  ['retrieval.ts', ['--dataset', 'cranfield']],
  ['retrieval.ts', ['--dataset', 'cisi']],
  ['ingest.ts', []],
  ['query-latency.ts', []],
  ['api.ts', []],
  ['ws-soak.ts', []],
  ['tracing-overhead.ts', []],
  ['eval-memory.ts', []],
];

for (const [file, args] of benches) {
  console.error(`# ${file} ${args.join(' ')}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, file), ...args], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
