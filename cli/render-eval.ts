import type { MetricComparison } from '../evals/compare/compare-runs.js';
import type { GateResult } from '../evals/gate/gate.js';
import type { EvalRunRecord } from '../evals/results/results-store.js';
import type { RunSummary } from '../evals/results/summarize-run.js';

/** Columns padded to their widest cell, two spaces apart. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(4);
}

/** A run's metrics: mean ± 95% CI, cases, and each threshold's verdict. */
export function renderSummary(run: EvalRunRecord, summary: RunSummary): string {
  const rows = summary.metrics.map((metric) => {
    const limit = run.config.thresholds[metric.metric];
    const higherIsBetter = run.metrics[metric.metric]?.higherIsBetter ?? true;
    const verdict = limit === undefined ? '' : (higherIsBetter ? metric.mean >= limit : metric.mean <= limit) ? `pass (${higherIsBetter ? '≥' : '≤'} ${limit})` : `FAIL (${higherIsBetter ? '≥' : '≤'} ${limit})`;
    return [metric.metric, number(metric.mean), `± ${number((metric.ciHigh - metric.ciLow) / 2)}`, String(metric.n), verdict];
  });
  const head = `run ${run.id} (${run.suite}): ${summary.cases} cases, ${summary.errors} failed, mean latency ${summary.latencyMs.mean.toFixed(1)} ms\n`;
  return head + table(['METRIC', 'MEAN', '95% CI', 'CASES', 'THRESHOLD'], rows);
}

/** Stored runs, newest first. */
export function renderRunList(runs: readonly (EvalRunRecord & { cases: number })[]): string {
  if (runs.length === 0) return 'no eval runs\n';
  const rows = runs.map((run) => [run.startedAt.replace('T', ' ').slice(0, 19), run.id, run.suite, run.status, String(run.cases), run.target]);
  return table(['STARTED (UTC)', 'RUN', 'SUITE', 'STATUS', 'CASES', 'TARGET'], rows);
}

/** Per-metric deltas of two runs with the bootstrap's interval and p-value; `*` marks p < 0.05. */
export function renderComparison(metrics: readonly MetricComparison[]): string {
  const rows = metrics.map((metric) => [
    metric.metric,
    number(metric.baseline),
    number(metric.candidate),
    `${metric.delta >= 0 ? '+' : ''}${number(metric.delta)}`,
    `[${number(metric.ciLow)}, ${number(metric.ciHigh)}]`,
    `${metric.p.toFixed(4)}${metric.p < 0.05 ? ' *' : ''}`,
    String(metric.pairs),
    metric.versionChanged ? 'scorer changed' : '',
  ]);
  return table(['METRIC', 'BASELINE', 'CANDIDATE', 'DELTA', '95% CI', 'P', 'CASES', ''], rows);
}

export function renderGate(result: GateResult): string {
  const verdict = result.passed ? 'gate passed' : `gate FAILED: ${result.violations.length} violation(s)`;
  const lines = result.violations.map((violation) => `  ${violation.message}\n`).join('');
  return `baseline ${result.baseline.id}, candidate ${result.candidate.id}\n${renderComparison(result.metrics)}${verdict}\n${lines}`;
}
