/**
 * `npm run bench:api`: Trellis's API server against LangGraph's own (the `@langchain/langgraph-cli` dev server) in
 * the same run, both on loopback, both answering a one-turn chat with a zero-latency model ("ok"): Trellis's
 * `assistant` agent through the scripted model with durable SQLite checkpoints, LangGraph a one-node echo graph.
 *
 *   npm run bench:api -- [--seconds 10] [--connections 1,16,64] [--quick] [--json]
 *                        [--only trellis|langgraph] [--ttft-samples 200]
 *
 * Each server is its own process (group), started as a user starts it, so its CPU and peak RSS are its own; the
 * load generator (autocannon, closed loop, `connections` clients) runs here. Measured, at each client count:
 * non-streaming `POST /v1/chat/completions` (Trellis only), `POST /runs/wait` (stateless) and
 * `POST /threads/{id}/runs/wait` (each client on its own thread, a fresh one every 10 runs), the two servers
 * taking turns so drift on a shared machine hits both. Then Trellis's time to first token over WebSocket, over
 * SSE and in-process, and each server's peak RSS.
 *
 * Output: one JSON line per measurement, one per comparison (ratios are Trellis / LangGraph), one per goal; unless
 * `--json`, a table on stderr. `--quick` is a smoke run (2 s per measurement, few TTFT samples): its figures
 * only show that everything works.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printLine, round } from './lib/stats.js';
import { startLangGraphServer } from './api/langgraph-server.js';
import { idleCpuCores, measure, warmUp } from './api/measure.js';
import { peakRssMb } from './api/process-stats.js';
import { checkGoals, comparisonLine, renderSummary, type LoadLine, type MemoryLine } from './api/report.js';
import { checkScenario, SCENARIOS } from './api/scenarios.js';
import type { ServerName, ServerUnderTest } from './api/server-process.js';
import { startTrellisServer, trellisEnvironment } from './api/trellis-server.js';
import { measureTtft, type TtftSummary } from './api/ttft.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    seconds: { type: 'string' },
    connections: { type: 'string', default: '1,16,64' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    'ttft-samples': { type: 'string' },
  },
});
const seconds = Number(values.seconds ?? (values.quick ? 2 : 10));
const warmupSeconds = values.quick ? 1 : 3;
const ttftSamples = Number(values['ttft-samples'] ?? (values.quick ? 20 : 200));
const levels = values.connections.split(',').map(Number);
if (!(seconds > 0) || levels.some((level) => !Number.isInteger(level) || level < 1)) {
  throw new Error('--seconds takes a positive number and --connections a list of positive integers');
}
if (values.only !== undefined && values.only !== 'trellis' && values.only !== 'langgraph') throw new Error('--only takes trellis or langgraph');
// Warm-up load runs at the busiest level up to 16 clients.
const warmupConnections = Math.min(16, Math.max(...levels));
const wanted: readonly ServerName[] = values.only ? [values.only as ServerName] : ['trellis', 'langgraph'];

const workDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-api-'));
const env = withoutProviderVariables(process.env);
const servers = new Map<ServerName, ServerUnderTest>();
try {
  printLine({ bench: 'api', measure: 'setup', node: process.version, cpus: availableParallelism(), loadavg_1m: round(loadavg()[0]!, 2), seconds, connections: levels });
  for (const name of wanted) {
    const started = performance.now();
    const server = name === 'trellis' ? await startTrellisServer({ repoRoot, workDir, env }) : await startLangGraphServer({ repoRoot, workDir, env });
    servers.set(name, server);
    const idle = await idleCpuCores(server, values.quick ? 1 : 2);
    printLine({ bench: 'api', measure: 'start', server: name, url: server.url, start_ms: Math.round(performance.now() - started), idle_cpu_cores: idle });
  }

  const lines: LoadLine[] = [];
  const skipped: string[] = [];
  for (const scenario of SCENARIOS) {
    const subjects: ServerUnderTest[] = [];
    for (const name of scenario.servers) {
      const server = servers.get(name);
      if (!server) continue;
      try {
        await checkScenario(server, scenario.name);
      } catch (error) {
        // One missing route must not hide the other figures; the skip is printed and fails the run.
        const reason = error instanceof Error ? error.message : String(error);
        skipped.push(`${name} ${scenario.name}: ${reason}`);
        printLine({ bench: 'api', server: name, scenario: scenario.name, skipped: reason });
        continue;
      }
      await warmUp({ server, scenario: scenario.name, connections: warmupConnections, seconds: warmupSeconds, earlier: lines });
      subjects.push(server);
    }
    for (const [step, connections] of levels.entries()) {
      // The servers take turns, first one then the other, so neither always runs after the other's load.
      const order = step % 2 === 0 ? subjects : [...subjects].reverse();
      const measured = new Map<ServerName, LoadLine>();
      for (const server of order) {
        const line = await measure({ server, scenario: scenario.name, connections, seconds, earlier: lines });
        measured.set(server.name, line);
        lines.push(line);
        printLine({ bench: 'api', ...line });
      }
      const trellis = measured.get('trellis');
      const langgraph = measured.get('langgraph');
      if (trellis && langgraph) printLine(comparisonLine(trellis, langgraph));
    }
  }

  let ttft: TtftSummary[] | undefined;
  let ttftSkipped: string | undefined;
  const trellis = servers.get('trellis');
  if (!trellis) ttftSkipped = 'Trellis is not part of this run (--only langgraph)';
  else {
    try {
      ttft = await measureTtft({ server: trellis, env: trellisEnvironment({ repoRoot, workDir, env }), workDir, samples: ttftSamples, warmup: values.quick ? 5 : 20, inProcessWarmup: values.quick ? 100 : 500 });
    } catch (error) {
      // Reported, not fatal: the load figures above stand on their own.
      ttftSkipped = error instanceof Error ? error.message : String(error);
    }
    for (const summary of ttft ?? []) printLine({ bench: 'api', measure: 'ttft', server: 'trellis', ...summary });
    if (ttftSkipped) {
      skipped.push(`trellis ttft: ${ttftSkipped}`);
      printLine({ bench: 'api', measure: 'ttft', server: 'trellis', skipped: ttftSkipped });
    }
  }

  const memory: MemoryLine[] = [...servers.values()].map((server) => {
    const tree = server.tree();
    return {
      server: server.name,
      peak_rss_mb: peakRssMb(server.servingPid),
      all_processes_peak_rss_mb: round(tree.reduce((sum, pid) => sum + peakRssMb(pid), 0), 1),
      processes: tree.length,
    };
  });
  for (const line of memory) printLine({ bench: 'api', measure: 'memory', ...line });
  const goals = checkGoals(lines, ttft);
  for (const goal of goals) printLine({ bench: 'api', measure: 'goal', ...goal });
  if (!values.json) process.stderr.write(renderSummary({ seconds, lines, ttft, ttftSkipped, memory, goals, skipped, cpus: availableParallelism(), node: process.version }));
  if (skipped.length > 0) process.exitCode = 1;
} finally {
  for (const server of servers.values()) await server.stop();
  rmSync(workDir, { recursive: true, force: true });
}

/** The machine's environment without Trellis, LLM-provider or LangSmith settings, which would change what runs. */
function withoutProviderVariables(source: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(source).filter(([name]) => !/^(TRELLIS_|OPENAI_|ANTHROPIC_|LANGFUSE_|LANGSMITH_|LANGCHAIN_)/.test(name)));
}
