/**
 * One measurement of one server: the load, what the server's processes and the load generator spent meanwhile,
 * and a pause until the server has finished what the load left in flight, so the next measurement starts clean.
 */
import { loadavg } from 'node:os';
import { round } from '../lib/stats.js';
import { measureLoad } from './load.js';
import { schedulerSeconds, treeCpuSeconds } from './process-stats.js';
import type { LoadLine } from './report.js';
import { requestSource, ThreadPool, TURNS_PER_THREAD, type ScenarioName } from './scenarios.js';
import type { ServerUnderTest } from './server-process.js';

export interface MeasureOptions {
  readonly server: ServerUnderTest;
  readonly scenario: ScenarioName;
  readonly connections: number;
  readonly seconds: number;
  /** This run's measurements so far: the stateless rate sizes the thread pool of runs on threads. */
  readonly earlier: readonly LoadLine[];
}

export async function measure(options: MeasureOptions): Promise<LoadLine> {
  const { server, scenario, connections, seconds } = options;
  const { requestsFor, pool } = await sourceFor(options);
  const serverCpu = treeCpuSeconds(server.tree());
  const serverScheduler = schedulerSeconds(server.tree());
  const loadgenCpu = process.cpuUsage();
  const result = await measureLoad({ url: server.url, headers: server.headers, connections, seconds, requestsFor });
  const loadgenUsed = process.cpuUsage(loadgenCpu);
  const serverCpuUsed = treeCpuSeconds(server.tree()) - serverCpu;
  const scheduler = schedulerSeconds(server.tree());
  const running = scheduler.running - serverScheduler.running;
  const waiting = scheduler.waiting - serverScheduler.waiting;
  const line: LoadLine = {
    server: server.name,
    scenario,
    connections,
    ...result,
    server_cpu_cores: round(serverCpuUsed / result.seconds, 2),
    server_cpu_ms_per_request: result.ok > 0 ? round((serverCpuUsed * 1000) / result.ok, 2) : null,
    server_cpu_wait_share: running + waiting > 0 ? round(waiting / (running + waiting), 2) : 0,
    loadgen_cpu_cores: round((loadgenUsed.user + loadgenUsed.system) / 1e6 / result.seconds, 2),
    loadavg_1m: round(loadavg()[0]!, 2),
    ...(pool ? { threads: pool.size, runs_past_thread_turns: pool.overflowTurns } : {}),
  };
  await settle(server);
  return line;
}

/** Load that is not measured: JIT, lazy imports and first SQLite pages are paid for before the figures start. */
export async function warmUp(options: MeasureOptions): Promise<void> {
  const { requestsFor } = await sourceFor(options);
  await measureLoad({ url: options.server.url, headers: options.server.headers, connections: options.connections, seconds: options.seconds, requestsFor });
  await settle(options.server);
}

/** CPU cores a server keeps busy doing nothing, over `seconds`: what it takes from the other server while idle. */
export async function idleCpuCores(server: ServerUnderTest, seconds: number): Promise<number> {
  const before = treeCpuSeconds(server.tree());
  await sleep(seconds * 1000);
  return round((treeCpuSeconds(server.tree()) - before) / seconds, 3);
}

/**
 * The request source; for runs on threads, with the threads made first: enough for every client to move to a fresh
 * thread every TURNS_PER_THREAD runs at twice the stateless rate this server reached with as many clients.
 */
async function sourceFor(options: MeasureOptions) {
  const { server, scenario, connections, seconds } = options;
  if (scenario !== 'thread-runs-wait') return { requestsFor: requestSource(scenario) };
  const stateless = options.earlier.filter((line) => line.server === server.name && line.scenario === 'runs-wait');
  const rate = (stateless.find((line) => line.connections === connections) ?? stateless.at(-1))?.rps ?? 100;
  const pool = await ThreadPool.create(server, Math.min(50_000, Math.ceil((rate * seconds * 2) / TURNS_PER_THREAD) + connections));
  return { requestsFor: requestSource(scenario, pool), pool };
}

/**
 * Closed-loop clients stop sending when the time is up, but the runs they started go on. Waits (at most 15 s) for
 * half a second in which the server uses under 5% of a core: both servers idle well below that.
 */
async function settle(server: ServerUnderTest): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const before = treeCpuSeconds(server.tree());
    await sleep(500);
    if ((treeCpuSeconds(server.tree()) - before) / 0.5 < 0.05) return;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
