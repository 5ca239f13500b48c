import { TrellisError } from '../../core/errors.js';
import { compareRuns, type MetricComparison } from '../compare/compare-runs.js';
import type { EvalResults, EvalRunRecord } from '../results/results-store.js';
import { summarizeRun } from '../results/summarize-run.js';
import { thresholdMisses } from './threshold-misses.js';

export interface GateOptions {
  /** The run to hold the line. */
  readonly baseline: string;
  /** The run under test; the newest completed run of the baseline's suite when absent. */
  readonly candidate?: string;
  /** The largest drop tolerated on a quality metric, in its own units (0.02 = two points of nDCG). */
  readonly maxDrop: number;
  readonly seed?: number;
}

/** Why one metric failed the gate. */
export interface GateViolation {
  readonly metric: string;
  readonly reason: 'regressed' | 'below-threshold';
  readonly message: string;
}

export interface GateResult {
  readonly baseline: EvalRunRecord;
  readonly candidate: EvalRunRecord;
  readonly metrics: readonly MetricComparison[];
  readonly violations: readonly GateViolation[];
  readonly passed: boolean;
}

/**
 * Decides whether a candidate run may replace the baseline: every shared quality metric must stay within `maxDrop` of the
 * baseline (on the cases both scored), and its mean over all its cases must meet the suite's `thresholds`. The decision is on the means (what a release is judged
 * on); the bootstrap p-value is reported beside each delta so a reader can tell noise from a real change. A
 * candidate that did not complete fails, since its means are of a partial run. Latency, tokens and cost (lower is
 * better) vary with the machine and load, so they are gated by the suite's thresholds only, never by a drop.
 */
export function gate(results: EvalResults, options: GateOptions): GateResult {
  const baseline = results.get(options.baseline);
  const candidate = options.candidate ? results.get(options.candidate) : results.latestCompleted(baseline.suite, baseline.id);
  if (!candidate) {
    throw new TrellisError('EVAL_RUN_NOT_FOUND', `no completed run of suite ${baseline.suite} besides the baseline ${baseline.id}`, {
      hint: 'Run the suite again (`trellis eval run`), or pass --candidate <run id>.',
    });
  }
  const comparison = compareRuns(results, baseline.id, candidate.id, { seed: options.seed });
  const violations: GateViolation[] = [];
  if (candidate.status !== 'completed') {
    violations.push({ metric: '(run)', reason: 'regressed', message: `candidate run ${candidate.id} is ${candidate.status}, not completed` });
  }
  for (const metric of comparison.metrics) {
    if (!metric.higherIsBetter) continue;
    if (metric.baseline - metric.candidate > options.maxDrop + 1e-12) {
      violations.push({
        metric: metric.metric,
        reason: 'regressed',
        message: `${metric.metric} went from ${format(metric.baseline)} to ${format(metric.candidate)} (p = ${format(metric.p)}), past the allowed ${options.maxDrop}`,
      });
    }
  }
  for (const miss of thresholdMisses(candidate, summarizeRun(results, candidate.id))) {
    violations.push({ metric: miss.metric, reason: 'below-threshold', message: miss.message });
  }
  return { baseline, candidate, metrics: comparison.metrics, violations, passed: violations.length === 0 };
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}
