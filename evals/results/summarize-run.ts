import { RunningStats, type MeanSummary } from '../run/statistics.js';
import type { EvalResults } from './results-store.js';

/** One metric over a run: the mean over cases (each case averaged over its repeats) with its 95% interval. */
export interface MetricSummary extends MeanSummary {
  readonly metric: string;
  /** Standard deviation of the per-repeat means; 0 with one repeat. */
  readonly repeatStdDev: number;
  readonly min: number;
  readonly max: number;
  /** Mean per category, for the per-category plot. */
  readonly byCategory: Readonly<Record<string, { readonly mean: number; readonly n: number }>>;
}

export interface RunSummary {
  readonly runId: string;
  readonly cases: number;
  readonly errors: number;
  readonly metrics: readonly MetricSummary[];
  readonly latencyMs: MeanSummary & { readonly min: number; readonly max: number };
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/**
 * Folds a stored run into its summary by streaming its scores: memory stays flat in the number of cases. Metrics
 * come in the suite's order.
 */
export function summarizeRun(results: EvalResults, runId: string): RunSummary {
  const metrics: MetricSummary[] = [];
  let current: { metric: string; stats: RunningStats; categories: Map<string, RunningStats> } | undefined;
  const repeatSpread = new Map<string, RunningStats>();
  for (const row of results.repeatMeans(runId)) {
    if (!repeatSpread.has(row.metric)) repeatSpread.set(row.metric, new RunningStats());
    repeatSpread.get(row.metric)!.add(row.value);
  }
  const flush = () => {
    if (!current) return;
    metrics.push({
      metric: current.metric,
      ...current.stats.summary(),
      repeatStdDev: repeatSpread.get(current.metric)?.stdDev ?? 0,
      min: current.stats.min,
      max: current.stats.max,
      byCategory: Object.fromEntries([...current.categories].map(([category, stats]) => [category, { mean: stats.mean, n: stats.n }])),
    });
  };
  for (const row of results.caseMeans(runId)) {
    if (current?.metric !== row.metric) {
      flush();
      current = { metric: row.metric, stats: new RunningStats(), categories: new Map() };
    }
    current.stats.add(row.value);
    const category = row.category ?? 'uncategorised';
    if (!current.categories.has(category)) current.categories.set(category, new RunningStats());
    current.categories.get(category)!.add(row.value);
  }
  flush();
  const order = results.get(runId).config.metrics.map((entry) => entry.name);
  const position = (metric: string) => (order.includes(metric) ? order.indexOf(metric) : order.length);
  metrics.sort((left, right) => position(left.metric) - position(right.metric));

  const latency = new RunningStats();
  for (const value of results.latencies(runId)) latency.add(value);
  const totals = results.totals(runId);
  return {
    runId,
    cases: totals.cases,
    errors: totals.errors,
    metrics,
    latencyMs: { ...latency.summary(), min: latency.n === 0 ? 0 : latency.min, max: latency.n === 0 ? 0 : latency.max },
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    costUsd: totals.costUsd,
  };
}
