/**
 * What tracing adds to a run: p50/p95 latency of one scripted agent run (a calculator call, a knowledge-base search,
 * an answer; three model turns, eleven spans below the root) through the run manager, as the API starts runs, with
 * tracing off, the local store only, Langfuse only (to an HTTP listener on a loopback port that answers like
 * Langfuse), and both.
 *
 *   npx tsx bench/tracing-overhead.ts [--runs 1000] [--warmup 50] [--model-delay-ms 0] [--configs local,langfuse]
 *                                     [--aa]
 *
 * `--model-delay-ms` makes each of the three model turns wait that long before answering, as a model does: the same
 * tracing work then weighs against a run of realistic length. `--configs` picks the traced configurations (all four
 * by default). `--aa` adds a second runtime with tracing off: its "overhead" is the noise floor of this machine at
 * this many runs, which no real difference smaller than it can be told from.
 *
 * Every configuration is its own runtime in this process; runs are interleaved, one of each per iteration in a new
 * random order (seeded), so that drift of a shared machine, GC and background exports hit all of them alike, and no
 * configuration always runs after the same other one (whose leftover work it would pay for). One JSON line per
 * configuration, with the added p50 against tracing off and its 95% interval (paired bootstrap over iterations),
 * then a summary line with the goal (< 5%). The machine's load average is printed beside, since the figures are
 * only as quiet as the machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type TrellisConfigOverrides } from '../core/config.js';
import { createRuntime, type Runtime } from '../runtime/create-runtime.js';
import { seededRandom } from '../core/seeded-random.js';
import { bootstrapMedianRatioPct, percentile, printLine, round, shuffled, threadCpuClock } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '50' },
    'model-delay-ms': { type: 'string', default: '0' },
    configs: { type: 'string' },
    aa: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const GOAL_PERCENT = 5;
// Zero by default: the model then costs nothing and the run is all Trellis and LangGraph, the strictest baseline.
const modelDelayMs = Number(values['model-delay-ms']);

const SCRIPT = [
  { toolCalls: [{ name: 'calculator', args: { expression: '2+2' } }] },
  { toolCalls: [{ name: 'knowledge_search', args: { query: 'reset password', kb: 'help', mode: 'keyword' } }] },
  { text: 'It is 4. To reset your password, open Settings and choose Security [1].' },
];
const MESSAGE = 'What is 2+2, and how do I reset my password?';

const workDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-tracing-'));
// Stands in for Langfuse: takes each OTLP export and answers 200 at once, as a healthy collector does.
let received = 0;
const listener = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    received += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
const langfuse = { publicKey: 'pk-lf-bench', secretKey: 'sk-lf-bench', baseUrl: `http://127.0.0.1:${(listener.address() as AddressInfo).port}` };

const traced: { name: string; tracing: TrellisConfigOverrides['tracing'] }[] = [
  { name: 'local', tracing: {} },
  { name: 'langfuse', tracing: { local: { enabled: false }, langfuse } },
  { name: 'local+langfuse', tracing: { langfuse } },
];
const chosen = values.configs?.split(',') ?? traced.map((configuration) => configuration.name);
const unknown = chosen.filter((name) => !traced.some((configuration) => configuration.name === name));
if (unknown.length > 0) throw new Error(`--configs takes ${traced.map((configuration) => configuration.name).join(', ')}; not ${unknown.join(', ')}`);
// The baseline comes first: every other configuration is compared with it.
const configurations = [
  { name: 'off', tracing: { enabled: false } },
  ...(values.aa ? [{ name: 'off (A/A)', tracing: { enabled: false } }] : []),
  ...traced.filter((configuration) => chosen.includes(configuration.name)),
];

const runtimes: Runtime[] = [];
try {
  const corpus = path.join(workDir, 'corpus');
  mkdirSync(corpus);
  writeFileSync(path.join(corpus, 'reset.md'), '# Password reset\n\nTo reset your password, open Settings and choose Security, then Reset password.\n');
  writeFileSync(path.join(corpus, 'billing.md'), '# Billing\n\nInvoices are sent on the first day of every month by email.\n');
  for (const configuration of configurations) {
    const dir = path.join(workDir, configuration.name.replace(/[^a-z0-9+]+/gi, '-'));
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'script.json'), JSON.stringify(modelDelayMs > 0 ? SCRIPT.map((turn) => ({ ...turn, delayMs: modelDelayMs })) : SCRIPT));
    const config = loadConfig({
      env: {},
      cwd: dir,
      overrides: {
        dataDir: dir,
        logLevel: 'silent',
        stores: { vector: { provider: 'none' } },
        models: { cacheDir: path.join(dir, 'cache'), threads: 1, reranker: { provider: 'none' }, chat: { provider: 'scripted', scriptPath: path.join(dir, 'script.json') } },
        tracing: configuration.tracing,
      },
    });
    const runtime = await createRuntime({ config });
    runtimes.push(runtime);
    await runtime.start();
    await runtime.knowledge.ingest({ tenantId: 'bench', kb: 'help', root: corpus });
  }

  // Wall time is what a caller waits; CPU time (this process, user + system) is steadier on a shared machine, where
  // other processes stretch wall time.
  const mainThreadCpu = threadCpuClock();
  const runOnce = async (runtime: Runtime): Promise<{ wall: number; cpu: number; mainCpu: number }> => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const mainStarted = mainThreadCpu?.() ?? 0;
    const record = await runtime.runManager.start('bench', { target: 'assistant', message: MESSAGE, metadata: { user: 'bench-user' } }).done;
    const wall = performance.now() - started;
    const mainCpu = (mainThreadCpu?.() ?? 0) - mainStarted;
    const used = process.cpuUsage(cpu);
    if (record.status !== 'completed') throw new Error(`run ${record.id} ended ${record.status}: ${JSON.stringify(record.error)}`);
    return { wall, cpu: (used.user + used.system) / 1000, mainCpu };
  };

  const loadBefore = loadavg();
  for (let index = 0; index < warmup; index += 1) for (const runtime of runtimes) await runOnce(runtime);
  const samples = runtimes.map(() => ({ wall: [] as number[], cpu: [] as number[], mainCpu: [] as number[] }));
  const random = seededRandom(7);
  for (let index = 0; index < runs; index += 1) {
    for (const position of shuffled([...runtimes.keys()], random)) {
      const runtime = runtimes[position]!;
      const { wall, cpu, mainCpu } = await runOnce(runtime);
      samples[position]!.wall.push(wall);
      samples[position]!.cpu.push(cpu);
      samples[position]!.mainCpu.push(mainCpu);
    }
  }
  await Promise.all(runtimes.map((runtime) => runtime.tracing.flush()));
  const loadAfter = loadavg();

  const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);
  const sorted = samples.map(({ wall, cpu, mainCpu }) => ({ wall: ascending(wall), cpu: ascending(cpu), mainCpu: ascending(mainCpu) }));
  const off = { wall: percentile(sorted[0]!.wall, 0.5), cpu: percentile(sorted[0]!.cpu, 0.5), mainCpu: percentile(sorted[0]!.mainCpu, 0.5) };
  const added = (p50: number, base: number) => round(((p50 - base) / base) * 100, 2);
  const interval = (baseline: readonly number[], candidate: readonly number[]) => bootstrapMedianRatioPct(baseline, candidate).map((bound) => round(bound, 2));
  const addedWall: number[] = [];
  for (const [position, configuration] of configurations.entries()) {
    const { wall, cpu, mainCpu } = sorted[position]!;
    const p50 = { wall: percentile(wall, 0.5), cpu: percentile(cpu, 0.5), mainCpu: percentile(mainCpu, 0.5) };
    addedWall.push(added(p50.wall, off.wall));
    const traced = position > 0;
    printLine({
      bench: 'tracing-overhead',
      tracing: configuration.name,
      runs,
      p50_ms: round(p50.wall, 3),
      p95_ms: round(percentile(wall, 0.95), 3),
      mean_ms: round(wall.reduce((sum, value) => sum + value, 0) / wall.length, 3),
      added_p50_pct: added(p50.wall, off.wall),
      ...(traced ? { added_p50_ci95_pct: interval(samples[0]!.wall, samples[position]!.wall) } : {}),
      cpu_p50_ms: round(p50.cpu, 3),
      added_cpu_p50_pct: added(p50.cpu, off.cpu),
      ...(mainThreadCpu
        ? {
            main_thread_cpu_p50_ms: round(p50.mainCpu, 3),
            added_main_thread_cpu_p50_pct: added(p50.mainCpu, off.mainCpu),
            ...(traced ? { added_main_thread_cpu_p50_ci95_pct: interval(samples[0]!.mainCpu, samples[position]!.mainCpu) } : {}),
          }
        : {}),
      sinks: runtimes[position]!.tracing.stats().sinks,
    });
  }
  const worst = Math.max(...addedWall.slice(values.aa ? 2 : 1));
  printLine({
    bench: 'tracing-overhead',
    measure: 'summary',
    worst_added_p50_pct: worst,
    goal_pct: GOAL_PERCENT,
    model_delay_ms: modelDelayMs,
    // The goal is set for the zero-latency run; with a model delay the figure is context, not a verdict.
    meets_goal: modelDelayMs === 0 ? worst < GOAL_PERCENT : null,
    langfuse_requests: received,
    cpus: cpus().length,
    load_avg_1m_before: round(loadBefore[0]!, 2),
    load_avg_1m_after: round(loadAfter[0]!, 2),
  });
} finally {
  for (const runtime of runtimes) await runtime.stop();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  rmSync(workDir, { recursive: true, force: true });
}
