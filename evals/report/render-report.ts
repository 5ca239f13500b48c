import type { StoredCase } from '../results/results-store.js';
import type { MetricSummary } from '../results/summarize-run.js';
import type { ReportData } from './report-data.js';
import { barChartSvg, deltaChartSvg, escapeXml, formatNumber, histogramSvg, lineChartSvg } from './svg-charts.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1180px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:12px}
.chart{width:100%;height:auto;border:1px solid #eee;border-radius:4px;background:#fff}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f6f6;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.error{color:#c62828}.fail{color:#c62828;font-weight:bold}.ok{color:#2e7d32}.answer{max-width:420px;overflow-wrap:anywhere;color:#444}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px}`;

/**
 * The report of one run as a single HTML page with everything inline (styles and SVG plots; no script, no CDN):
 * the suite and versions that produced it, each metric's mean ± 95% CI against its threshold, score distributions,
 * per-category bars, a latency histogram, run-to-run deltas against the suite's earlier runs, and the per-case table.
 */
export function renderReport(data: ReportData): string {
  const { run, summary } = data;
  const title = `Eval report: ${run.suite}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeXml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeXml(title)}</h1>
<p class="meta">run <code>${escapeXml(run.id)}</code> · ${escapeXml(run.status)} · started ${escapeXml(run.startedAt)}${run.finishedAt ? ` · finished ${escapeXml(run.finishedAt)}` : ''}</p>
${metadataTable(data)}
<h2>Metrics</h2>
${metricsTable(data)}
<h2>Score distributions</h2>
<div class="grid">${summary.metrics.map((metric) => distribution(data, metric)).join('')}</div>
<h2>Per category</h2>
${perCategory(summary.metrics)}
<h2>Latency</h2>
<div class="grid">${histogramSvg({ title: `latency per case (ms), mean ${formatNumber(summary.latencyMs.mean)}`, ...data.latency, xLabel: 'ms' })}</div>
<h2>Run to run</h2>
${runToRun(data)}
<h2>Cases</h2>
${data.casesTruncated ? `<p class="meta">The first ${data.cases.length} of ${summary.cases} case results (all are stored in the database).</p>` : ''}
${caseTable(data)}
</body></html>
`;
}

function metadataTable(data: ReportData): string {
  const { run, summary } = data;
  const rows: [string, string][] = [
    ['dataset', `${run.dataset} ${JSON.stringify(run.config.dataset.options)}`],
    ['target', run.target],
    ['target model', run.models.target ?? '—'],
    ['judge model', run.models.judge ?? '—'],
    ['metrics', Object.entries(run.metrics).map(([name, info]) => `${name} v${info.version}`).join(', ')],
    ['run settings', `concurrency ${run.config.run.concurrency}, repeats ${run.config.run.repeats}, seed ${run.config.run.seed}`],
    ['code', `trellis ${run.codeVersion.packageVersion}${run.codeVersion.gitSha ? ` @ ${run.codeVersion.gitSha}` : ''}`],
    ['cases', `${summary.cases} (${summary.errors} failed)${run.expectedCases === null ? '' : ` of ${run.expectedCases}`}`],
    ['tokens', `${summary.inputTokens} in, ${summary.outputTokens} out${summary.costUsd > 0 ? `, $${summary.costUsd.toFixed(4)}` : ''}`],
  ];
  return `<table class="metadata">${rows.map(([key, value]) => `<tr><th>${escapeXml(key)}</th><td>${escapeXml(value)}</td></tr>`).join('')}</table>`;
}

function metricsTable(data: ReportData): string {
  const thresholds = data.run.config.thresholds;
  const rows = data.summary.metrics.map((metric) => {
    const limit = thresholds[metric.metric];
    const higherIsBetter = data.run.metrics[metric.metric]?.higherIsBetter ?? true;
    const verdict = limit === undefined ? '' : (higherIsBetter ? metric.mean >= limit : metric.mean <= limit) ? '<span class="ok">pass</span>' : '<span class="fail">fail</span>';
    return `<tr><td>${escapeXml(metric.metric)}</td><td class="num">${formatNumber(metric.mean)}</td><td class="num">[${formatNumber(metric.ciLow)}, ${formatNumber(metric.ciHigh)}]</td>` +
      `<td class="num">${metric.n}</td><td class="num">${formatNumber(metric.stdDev)}</td><td class="num">${formatNumber(metric.repeatStdDev)}</td>` +
      `<td class="num">${limit === undefined ? '' : `${higherIsBetter ? '≥' : '≤'} ${limit}`}</td><td>${verdict}</td></tr>`;
  });
  return `<table class="metrics"><tr><th>metric</th><th>mean</th><th>95% CI</th><th>cases</th><th>std dev</th><th>repeat std dev</th><th>threshold</th><th></th></tr>${rows.join('')}</table>`;
}

function distribution(data: ReportData, metric: MetricSummary): string {
  const histogram = data.distributions[metric.metric];
  if (!histogram) return '';
  return histogramSvg({ title: `${metric.metric}: per-case scores`, ...histogram, xLabel: metric.metric });
}

function perCategory(metrics: readonly MetricSummary[]): string {
  const categorised = metrics.filter((metric) => Object.keys(metric.byCategory).length > 1);
  if (categorised.length === 0) return '<p class="meta">The dataset has one category.</p>';
  return `<div class="grid">${categorised.map(categoryBars).join('')}</div>`;
}

function categoryBars(metric: MetricSummary): string {
  const bars = Object.entries(metric.byCategory).map(([label, stats]) => ({ label, value: stats.mean, count: stats.n }));
  return barChartSvg({ title: `${metric.metric} by category`, bars, max: metric.min >= 0 && metric.max <= 1 ? 1 : undefined });
}

function runToRun(data: ReportData): string {
  const { history } = data;
  if (history.length < 2) return '<p class="meta">No earlier completed run of this suite to compare with.</p>';
  const metrics = data.summary.metrics.map((metric) => metric.metric);
  const meanOf = (index: number, metric: string) => history[index]!.summary.metrics.find((entry) => entry.metric === metric)?.mean ?? null;
  const previous = history.length - 2;
  const deltas = metrics.flatMap((metric) => {
    const before = meanOf(previous, metric);
    const after = meanOf(history.length - 1, metric);
    if (before === null || after === null) return [];
    const higherIsBetter = data.run.metrics[metric]?.higherIsBetter ?? true;
    return [{ label: metric, delta: after - before, good: (after - before >= 0) === higherIsBetter }];
  });
  const quality = metrics.filter((metric) => data.run.metrics[metric]?.higherIsBetter ?? true);
  const lines = lineChartSvg({
    title: 'mean per run (oldest left)',
    xLabels: history.map((entry) => entry.run.id.slice(0, 8)),
    series: quality.map((metric) => ({ name: metric, values: history.map((_, index) => meanOf(index, metric)) })),
  });
  const chart = deltaChartSvg({ title: `change since run ${history[previous]!.run.id.slice(0, 8)}`, bars: deltas });
  return `<div class="grid">${chart}${lines}</div>`;
}

function caseTable(data: ReportData): string {
  const metrics = data.summary.metrics.map((metric) => metric.metric);
  const header = `<tr><th>case</th><th>repeat</th><th>category</th>${metrics.map((metric) => `<th>${escapeXml(metric)}</th>`).join('')}<th>latency ms</th><th>output</th></tr>`;
  const rows = data.cases.map((row) => caseRow(row, metrics));
  return `<table class="cases">${header}${rows.join('')}</table>`;
}

function caseRow(row: StoredCase, metrics: readonly string[]): string {
  const scores = metrics.map((metric) => {
    const value = row.scores[metric];
    return `<td class="num">${value === undefined || value === null ? '—' : formatNumber(value)}</td>`;
  });
  const output = row.error
    ? `<span class="error">${escapeXml(`${row.error.code}: ${row.error.message}`)}</span>`
    : escapeXml(describeOutput(row.output));
  return `<tr><td>${escapeXml(row.caseId)}</td><td class="num">${row.repeat}</td><td>${escapeXml(row.category ?? '')}</td>${scores.join('')}` +
    `<td class="num">${formatNumber(row.latencyMs)}</td><td class="answer">${output}</td></tr>`;
}

function describeOutput(output: Readonly<Record<string, unknown>>): string {
  const parts: string[] = [];
  if (typeof output.answer === 'string') parts.push(output.answer.length > 300 ? `${output.answer.slice(0, 300)}…` : output.answer);
  if (Array.isArray(output.retrieved)) parts.push(`top: ${output.retrieved.join(', ')}`);
  if (Array.isArray(output.toolCalls)) parts.push(`calls: ${JSON.stringify(output.toolCalls).slice(0, 300)}`);
  return parts.join(' · ');
}
