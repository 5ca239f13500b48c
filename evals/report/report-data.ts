import type { EvalResults, EvalRunRecord, StoredCase } from '../results/results-store.js';
import { summarizeRun, type RunSummary } from '../results/summarize-run.js';

/** Counts over equal bins between `min` and `max`. */
export interface Histogram {
  readonly counts: readonly number[];
  readonly min: number;
  readonly max: number;
}

/** Everything a report shows, gathered by streaming the stored run (the case table is capped). */
export interface ReportData {
  readonly run: EvalRunRecord;
  readonly summary: RunSummary;
  /** Per metric: the distribution of per-case scores. */
  readonly distributions: Readonly<Record<string, Histogram>>;
  readonly latency: Histogram;
  /** This run and the completed runs of its suite before it, oldest first, with their summaries. */
  readonly history: readonly { readonly run: EvalRunRecord; readonly summary: RunSummary }[];
  readonly cases: readonly StoredCase[];
  /** True when the table shows fewer cases than the run has. */
  readonly casesTruncated: boolean;
}

export interface GatherReportOptions {
  /** Rows of the per-case table at most (all rows stay in the database). Default 2000. */
  readonly maxCases?: number;
  /** Earlier runs of the suite in the run-to-run plots. Default 9. */
  readonly historyRuns?: number;
}

const BINS = 10;

export function gatherReportData(results: EvalResults, runId: string, options: GatherReportOptions = {}): ReportData {
  const run = results.get(runId);
  const summary = summarizeRun(results, run.id);
  const distributions: Record<string, number[]> = {};
  const ranges = new Map(summary.metrics.map((metric) => [metric.metric, unitOr(metric.min, metric.max)]));
  for (const row of results.caseMeans(run.id)) {
    const range = ranges.get(row.metric)!;
    (distributions[row.metric] ??= new Array<number>(BINS).fill(0))[binOf(row.value, range, BINS)]! += 1;
  }
  const latencyRange = { min: summary.latencyMs.min, max: Math.max(summary.latencyMs.max, summary.latencyMs.min + 1e-9) };
  const latencyCounts = new Array<number>(BINS * 2).fill(0);
  for (const value of results.latencies(run.id)) latencyCounts[binOf(value, latencyRange, latencyCounts.length)]! += 1;

  const maxCases = options.maxCases ?? 2000;
  const history = results
    .history(run.suite, run, (options.historyRuns ?? 9) + 1)
    .map((entry) => ({ run: entry, summary: entry.id === run.id ? summary : summarizeRun(results, entry.id) }));
  return {
    run,
    summary,
    distributions: Object.fromEntries(Object.entries(distributions).map(([metric, counts]) => [metric, { counts, ...ranges.get(metric)! }])),
    latency: { counts: latencyCounts, ...latencyRange },
    history,
    cases: [...results.cases(run.id, { limit: maxCases })],
    casesTruncated: summary.cases > maxCases,
  };
}

/** Scores in [0, 1] are binned over [0, 1], so two runs' plots share a scale; others over their own range. */
function unitOr(min: number, max: number): { min: number; max: number } {
  if (min >= 0 && max <= 1) return { min: 0, max: 1 };
  return { min, max: max > min ? max : min + 1 };
}

function binOf(value: number, range: { min: number; max: number }, bins: number): number {
  const share = (value - range.min) / (range.max - range.min);
  return Math.min(bins - 1, Math.max(0, Math.floor(share * bins)));
}
