/**
 * Memory of the eval runner on a large suite: a synthetic 20,000-case dataset, generated lazily, through the real
 * runner (`runSuite`: concurrency, SQLite results, per-case scores, summary) with an echo target, scored by exact
 * match and latency. Prints one JSON line with the peak RSS (goal: at most 200 MB) and one for promptfoo, the
 * baseline we would run the same cases through with an echo provider: it needs Node >= 22.22
 * (`npm view promptfoo engines` → { node: '>=22.22.0' }), so on older Node it is reported as not run.
 *
 *   npm run bench:eval-memory -- [--cases 20000] [--concurrency 8]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../core/db.js';
import { createMetric } from '../evals/metrics/registry.js';
import { EvalResults } from '../evals/results/results-store.js';
import { runSuite } from '../evals/run/run-suite.js';
import { parseSuite } from '../evals/suite/load-suite.js';
import type { EvalTarget } from '../evals/targets/target.js';
import type { EvalCase, EvalDataset } from '../evals/types.js';
import { runtimeMigrations } from '../runtime/migrations.js';
import { printLine, round } from './lib/stats.js';

const GOAL_MB = 200;
const PROMPTFOO_NODE = '22.22.0';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '8' } } });
const cases = Number(values.cases);
const concurrency = Number(values.concurrency);

/** Cases made one at a time as the runner pulls them, each with a passage of context like a RAG case. */
const dataset: EvalDataset = {
  name: 'synthetic',
  size: cases,
  async *cases(): AsyncGenerator<EvalCase> {
    for (let index = 0; index < cases; index++) {
      yield {
        id: `case-${index}`,
        input: `What is item ${index}?`,
        category: `group-${index % 10}`,
        context: [`Item ${index} is answer-${index}. `.repeat(20)],
        expected: { answers: [`answer-${index}`] },
      };
    }
  },
};

/** Answers every case with its own gold answer, or with nonsense for one in seven. */
const echo: EvalTarget = {
  description: 'echo',
  async run(evalCase) {
    const started = performance.now();
    const gold = evalCase.expected.answers![0]!;
    return { answer: Number(evalCase.id.slice(5)) % 7 === 0 ? 'nonsense' : gold, latencyMs: performance.now() - started };
  },
  async close() {},
};

const workDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-eval-memory-'));
try {
  const { db } = openDatabase({ file: path.join(workDir, 'trellis.db'), migrations: runtimeMigrations });
  const suite = parseSuite(
    { name: 'synthetic-memory', dataset: { name: 'jsonl' }, target: { kind: 'model' }, metrics: ['exact_match', 'latency_ms'], run: { concurrency } },
    'bench',
  );
  const started = performance.now();
  const { summary } = await runSuite({
    suite,
    dataset,
    target: echo,
    metrics: [createMetric('exact_match'), createMetric('latency_ms')],
    results: new EvalResults(db),
    runId: 'bench',
    codeVersion: { packageVersion: 'bench', gitSha: null },
  });
  const seconds = (performance.now() - started) / 1000;
  db.close();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const exactMatch = summary.metrics.find((metric) => metric.metric === 'exact_match')!;
  printLine({
      bench: 'eval-memory',
      tool: 'trellis',
      cases: summary.cases,
      concurrency,
      peak_rss_mb: round(peakRssMb, 1),
      goal_peak_rss_mb: GOAL_MB,
      within_goal: peakRssMb <= GOAL_MB,
      seconds: round(seconds, 2),
      cases_per_s: round(summary.cases / seconds, 0),
      exact_match: round(exactMatch.mean, 4),
  });
  const nodeVersion = process.versions.node;
  const promptfooRuns = compareVersions(nodeVersion, PROMPTFOO_NODE) >= 0;
  printLine({
      bench: 'eval-memory',
      tool: 'promptfoo',
      status: 'not run',
      reason: promptfooRuns
        ? 'promptfoo is not installed in this repository; install it beside Trellis to compare'
        : `promptfoo requires Node >= ${PROMPTFOO_NODE} (npm view promptfoo engines); this is Node ${nodeVersion}`,
  });
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

function compareVersions(left: string, right: string): number {
  const a = left.split('.').map(Number);
  const b = right.split('.').map(Number);
  for (let index = 0; index < 3; index++) if ((a[index] ?? 0) !== (b[index] ?? 0)) return (a[index] ?? 0) - (b[index] ?? 0);
  return 0;
}
