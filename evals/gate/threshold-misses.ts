import type { EvalRunRecord } from '../results/results-store.js';
import type { RunSummary } from '../results/summarize-run.js';

/**
 * The suite's thresholds a run misses, as sentences: a quality metric's mean below its minimum, a lower-is-better
 * metric's (latency, cost) above its maximum, or a threshold on a metric the run has no score for.
 */
export function thresholdMisses(run: EvalRunRecord, summary: RunSummary): { metric: string; message: string }[] {
  const misses: { metric: string; message: string }[] = [];
  for (const [name, limit] of Object.entries(run.config.thresholds)) {
    const metric = summary.metrics.find((entry) => entry.metric === name);
    if (!metric) {
      misses.push({ metric: name, message: `${name} has a threshold but no score in run ${run.id}` });
      continue;
    }
    const higherIsBetter = run.metrics[name]?.higherIsBetter ?? true;
    if (higherIsBetter ? metric.mean >= limit : metric.mean <= limit) continue;
    misses.push({ metric: name, message: `${name} is ${metric.mean.toFixed(4)}; the suite requires ${higherIsBetter ? 'at least' : 'at most'} ${limit}` });
  }
  return misses;
}
