import { TrellisError } from '../../core/errors.js';
import type { EvalResults, EvalRunRecord } from '../results/results-store.js';
import { pairedBootstrap } from './paired-bootstrap.js';

/** One metric of two runs, over the cases both scored. */
export interface MetricComparison {
  readonly metric: string;
  readonly higherIsBetter: boolean;
  readonly baseline: number;
  readonly candidate: number;
  /** candidate − baseline. */
  readonly delta: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Paired bootstrap p-value of "no difference". */
  readonly p: number;
  /** Cases scored in both runs. */
  readonly pairs: number;
  /** The metric's scorer changed between the runs: the delta may be the scorer's, not the target's. */
  readonly versionChanged: boolean;
}

export interface RunComparison {
  readonly baseline: EvalRunRecord;
  readonly candidate: EvalRunRecord;
  readonly metrics: readonly MetricComparison[];
}

export interface CompareRunsOptions {
  readonly samples?: number;
  readonly seed?: number;
}

/**
 * Compares two runs metric by metric on the cases both scored (per-case scores averaged over repeats), with a
 * seeded paired bootstrap. EVAL_RUNS_INCOMPARABLE when they share no scored case on any metric.
 */
export function compareRuns(results: EvalResults, baselineId: string, candidateId: string, options: CompareRunsOptions = {}): RunComparison {
  const baseline = results.get(baselineId);
  const candidate = results.get(candidateId);
  const baselineScores = new Map<string, Map<string, number>>();
  for (const row of results.caseMeans(baseline.id)) {
    if (!baselineScores.has(row.metric)) baselineScores.set(row.metric, new Map());
    baselineScores.get(row.metric)!.set(row.caseId, row.value);
  }
  const paired = new Map<string, { baseline: number[]; candidate: number[] }>();
  for (const row of results.caseMeans(candidate.id)) {
    const before = baselineScores.get(row.metric)?.get(row.caseId);
    if (before === undefined) continue;
    if (!paired.has(row.metric)) paired.set(row.metric, { baseline: [], candidate: [] });
    paired.get(row.metric)!.baseline.push(before);
    paired.get(row.metric)!.candidate.push(row.value);
  }
  if (paired.size === 0) {
    throw new TrellisError('EVAL_RUNS_INCOMPARABLE', `runs ${baseline.id} (${baseline.suite}) and ${candidate.id} (${candidate.suite}) share no scored case on any metric`, {
      details: { baseline: baseline.id, candidate: candidate.id },
    });
  }
  const metrics = [...paired].sort(([left], [right]) => left.localeCompare(right)).map(([metric, pairs]): MetricComparison => {
    const test = pairedBootstrap(pairs.baseline, pairs.candidate, options);
    const mean = (values: readonly number[]) => values.reduce((total, value) => total + value, 0) / values.length;
    return {
      metric,
      higherIsBetter: candidate.metrics[metric]?.higherIsBetter ?? baseline.metrics[metric]?.higherIsBetter ?? true,
      baseline: mean(pairs.baseline),
      candidate: mean(pairs.candidate),
      delta: test.delta,
      ciLow: test.ciLow,
      ciHigh: test.ciHigh,
      p: test.p,
      pairs: test.pairs,
      versionChanged: (baseline.metrics[metric]?.version ?? null) !== (candidate.metrics[metric]?.version ?? null),
    };
  });
  return { baseline, candidate, metrics };
}
