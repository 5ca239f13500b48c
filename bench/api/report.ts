/**
 * Turns measurements into the bench's output: JSON lines on stdout (one per measurement, then the Trellis /
 * LangGraph comparisons and the goals), and unless `--json` a table on stderr for people.
 */
import { round } from '../lib/stats.js';
import type { LoadResult } from './load.js';
import { SCENARIOS, type ScenarioName } from './scenarios.js';
import type { ServerName } from './server-process.js';
import type { TtftSummary } from './ttft.js';

export interface LoadLine extends LoadResult {
  readonly server: ServerName;
  readonly scenario: ScenarioName;
  readonly connections: number;
  /** CPU cores the server's processes kept busy during the measurement (2 = both cores of a 2-core machine). */
  readonly server_cpu_cores: number;
  /**
   * Server CPU time per answered request: what a request costs, whatever share of the machine the server got (on a
   * busy machine throughput falls with that share, this much less).
   */
  readonly server_cpu_ms_per_request: number | null;
  /**
   * Of the time the server's main threads were ready to run, the share they waited for a core: near 0 on a quiet
   * machine; well above it, other work (the load generator included) took the CPU and the figures show that.
   */
  readonly server_cpu_wait_share: number;
  /** CPU cores the load generator (this process) used meanwhile: the machine's cores are shared by both. */
  readonly loadgen_cpu_cores: number;
  /** The machine's 1-minute load average after the measurement: well above its core count means noisy figures. */
  readonly loadavg_1m: number;
  /** Runs on threads: threads made for the measurement, and runs sent past TURNS_PER_THREAD once they ran out. */
  readonly threads?: number;
  readonly runs_past_thread_turns?: number;
}

export interface MemoryLine {
  readonly server: ServerName;
  /** Peak RSS of the process that answers requests. */
  readonly peak_rss_mb: number;
  /** Peak RSS of every process the server's command started, added up (launchers, file watchers). */
  readonly all_processes_peak_rss_mb: number;
  readonly processes: number;
}

/** The figures the issue sets as goals. */
export const GOALS = {
  runsWaitP50Ms: 10,
  runsWaitRpsRatioAt16: 50,
  chatCompletionsRps: 1000,
  webSocketAddedTtftMs: 5,
} as const;

/** Trellis beside LangGraph for one scenario and client count; ratios are Trellis / LangGraph. */
export function comparisonLine(trellis: LoadLine, langgraph: LoadLine): Record<string, unknown> {
  return {
    bench: 'api',
    compare: trellis.scenario,
    connections: trellis.connections,
    trellis_rps: trellis.rps,
    langgraph_rps: langgraph.rps,
    rps_ratio: ratio(trellis.rps, langgraph.rps),
    trellis_p50_ms: trellis.p50_ms,
    langgraph_p50_ms: langgraph.p50_ms,
    p50_ratio: ratio(trellis.p50_ms, langgraph.p50_ms),
    p99_ratio: ratio(trellis.p99_ms, langgraph.p99_ms),
    ...(trellis.connections === 16 ? { goal_rps_ratio: GOALS.runsWaitRpsRatioAt16 } : {}),
  };
}

export interface GoalCheck {
  readonly goal: string;
  readonly value: number | null;
  readonly unit: string;
  readonly met: boolean | null;
  readonly note?: string;
}

export function checkGoals(lines: readonly LoadLine[], ttft: readonly TtftSummary[] | undefined): GoalCheck[] {
  const find = (server: ServerName, scenario: ScenarioName, connections: number) =>
    lines.find((line) => line.server === server && line.scenario === scenario && line.connections === connections);
  const checks: GoalCheck[] = [];
  for (const scenario of ['runs-wait', 'thread-runs-wait'] as const) {
    const single = find('trellis', scenario, 1);
    checks.push({
      goal: `${scenario} p50 <= ${GOALS.runsWaitP50Ms} ms (1 client)`,
      value: single?.p50_ms ?? null,
      unit: 'ms',
      met: single ? single.p50_ms <= GOALS.runsWaitP50Ms : null,
    });
    const trellis = find('trellis', scenario, 16);
    const langgraph = find('langgraph', scenario, 16);
    const value = trellis && langgraph ? ratio(trellis.rps, langgraph.rps) : null;
    checks.push({
      goal: `${scenario} req/s >= ${GOALS.runsWaitRpsRatioAt16}x LangGraph's (16 clients)`,
      value,
      unit: 'x',
      met: value === null ? null : value >= GOALS.runsWaitRpsRatioAt16,
    });
  }
  const completions = lines.filter((line) => line.server === 'trellis' && line.scenario === 'chat-completions');
  const best = completions.reduce<LoadLine | undefined>((top, line) => (!top || line.rps > top.rps ? line : top), undefined);
  checks.push({
    goal: `chat-completions >= ${GOALS.chatCompletionsRps} req/s`,
    value: best?.rps ?? null,
    unit: 'req/s',
    met: best ? best.rps >= GOALS.chatCompletionsRps : null,
    ...(best ? { note: `best of the client counts: ${best.connections}` } : {}),
  });
  const added = webSocketAddedTtft(ttft);
  checks.push({
    goal: `WebSocket adds < ${GOALS.webSocketAddedTtftMs} ms to time to first token (p50)`,
    value: added,
    unit: 'ms',
    met: added === null ? null : added < GOALS.webSocketAddedTtftMs,
    ...(added === null ? { note: 'not measured' } : {}),
  });
  return checks;
}

/** p50 TTFT over the WebSocket minus the server's own, in-process p50. */
export function webSocketAddedTtft(ttft: readonly TtftSummary[] | undefined): number | null {
  const socket = ttft?.find((summary) => summary.transport === 'websocket');
  const own = ttft?.find((summary) => summary.transport === 'in-process');
  return socket && own ? round(socket.p50_ms - own.p50_ms, 2) : null;
}

/** The whole run as a table for people (stderr). */
export function renderSummary(options: {
  seconds: number;
  lines: readonly LoadLine[];
  ttft: readonly TtftSummary[] | undefined;
  ttftSkipped: string | undefined;
  memory: readonly MemoryLine[];
  goals: readonly GoalCheck[];
  /** Measurements that could not run, with why. */
  skipped: readonly string[];
  cpus: number;
  /** The Node.js version both servers ran on: LangChain's per-run cost differs by about 2x between Node 20 and 24. */
  node: string;
}): string {
  const out: string[] = [];
  const busy = Math.max(...options.lines.map((line) => line.loadavg_1m));
  out.push(`\nAPI load, ${options.seconds} s per measurement, closed loop over loopback, Node ${options.node} on ${options.cpus} CPU cores shared with the load generator`);
  out.push('  cpu ms/req: server CPU time per answered request; cpu wait: share of its ready time the server waited for a core');
  if (busy > options.cpus) out.push(`! load average reached ${fixed(busy, 1)} on ${options.cpus} cores: other work shared the machine, figures are noisy (cpu ms/req is the steadier one)`);
  const columns = (server: string) => `${`${server} req/s`.padStart(15)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'cpu ms/req'.padStart(10)} ${'cpu wait'.padStart(8)}`;
  const header = `  ${'clients'.padStart(7)}  ${columns('trellis')}   ${columns('langgraph')}   ${'req/s x'.padStart(8)}`;
  const cells = (line: LoadLine | undefined) =>
    line
      ? `${fixed(line.rps, 1).padStart(15)} ${fixed(line.p50_ms, 2).padStart(8)} ${fixed(line.p99_ms, 2).padStart(8)} ${fixed(line.server_cpu_ms_per_request ?? Number.NaN, 2).padStart(10)} ${`${Math.round(line.server_cpu_wait_share * 100)}%`.padStart(8)}`
      : `${'-'.padStart(15)} ${'-'.padStart(8)} ${'-'.padStart(8)} ${'-'.padStart(10)} ${'-'.padStart(8)}`;
  for (const scenario of SCENARIOS) {
    const rows = options.lines.filter((line) => line.scenario === scenario.name);
    if (rows.length === 0) continue;
    out.push(`\n${scenario.route}`, header);
    for (const connections of [...new Set(rows.map((line) => line.connections))]) {
      const trellis = rows.find((line) => line.server === 'trellis' && line.connections === connections);
      const langgraph = rows.find((line) => line.server === 'langgraph' && line.connections === connections);
      const times = trellis && langgraph ? `${fixed(ratio(trellis.rps, langgraph.rps), 1)}x` : '-';
      const failures = [trellis, langgraph].filter((line) => line && Object.keys(line.failed).length > 0).map((line) => `${line!.server} failed ${JSON.stringify(line!.failed)}`);
      out.push(`  ${String(connections).padStart(7)}  ${cells(trellis)}   ${cells(langgraph)}   ${times.padStart(8)}${failures.length > 0 ? `   ! ${failures.join('; ')}` : ''}`);
    }
  }
  out.push('\nTime to first token, Trellis (one run at a time)');
  if (options.ttft) {
    for (const summary of options.ttft) out.push(`  ${summary.transport.padEnd(11)} p50 ${fixed(summary.p50_ms, 2).padStart(7)} ms   p99 ${fixed(summary.p99_ms, 2).padStart(7)} ms   (${summary.samples} runs)`);
  } else out.push(`  skipped: ${options.ttftSkipped}`);
  out.push('\nPeak RSS');
  for (const memory of options.memory) {
    out.push(`  ${memory.server.padEnd(10)} ${fixed(memory.peak_rss_mb, 1)} MiB serving process; ${fixed(memory.all_processes_peak_rss_mb, 1)} MiB over its ${memory.processes} processes`);
  }
  out.push('\nGoals');
  for (const check of options.goals) {
    const mark = check.met === null ? '?' : check.met ? 'met' : 'MISSED';
    const value = check.value === null ? 'n/a' : `${fixed(check.value, check.unit === 'x' ? 1 : 2)} ${check.unit}`;
    out.push(`  ${mark.padEnd(6)} ${check.goal.padEnd(58)} ${value}${check.note ? `  (${check.note})` : ''}`);
  }
  if (options.skipped.length > 0) out.push('\nSkipped', ...options.skipped.map((reason) => `  ${reason.split('\n')[0]}`));
  return `${out.join('\n')}\n`;
}

function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? round(numerator / denominator, 2) : Number.NaN;
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}
