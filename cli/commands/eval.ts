import { randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../core/config.js';
import { TrellisError } from '../../core/errors.js';
import { compareRuns } from '../../evals/compare/compare-runs.js';
import { gate } from '../../evals/gate/gate.js';
import { thresholdMisses } from '../../evals/gate/threshold-misses.js';
import { defaultReportPath, writeReport } from '../../evals/report/write-report.js';
import { EvalResults } from '../../evals/results/results-store.js';
import { createJudge } from '../../evals/run/judge.js';
import { createSqliteModelCache } from '../../evals/run/model-cache.js';
import { createRunProgressBar } from '../../evals/run/progress-bar.js';
import { runSuite } from '../../evals/run/run-suite.js';
import { createTraceScoreReporter } from '../../evals/run/trace-scores.js';
import { loadSuiteFile } from '../../evals/suite/load-suite.js';
import { resolveSuite, withOverrides } from '../../evals/suite/resolve-suite.js';
import { createTarget } from '../../evals/targets/create-target.js';
import { renderComparison, renderGate, renderRunList, renderSummary } from '../render-eval.js';
import { withDatabase } from '../with-database.js';
import { withRuntime } from '../with-runtime.js';

interface RunFlags {
  limit?: number;
  concurrency?: number;
  repeats?: number;
  resume?: string;
  out?: string;
  report: boolean;
  json?: boolean;
}

/**
 * `trellis eval run | list | report | compare | gate`: run a suite file against a target and store the run, then
 * read, compare and gate stored runs. Only `run` starts the runtime; the others read the database alone.
 */
export function createEvalCommand(): Command {
  const evalCommand = new Command('eval').description('run eval suites, report on runs, compare them and gate releases on them');
  evalCommand
    .command('run')
    .description('run a suite (evals/suites/*.yaml): every case through the target, scored, stored, with an HTML report')
    .argument('<suite>', 'the suite file')
    .option('--limit <n>', 'only the first n cases', parsePositive)
    .option('--concurrency <n>', 'cases in flight at once (overrides the suite)', parsePositive)
    .option('--repeats <n>', 'runs of each case (overrides the suite)', parsePositive)
    .option('--resume <run>', 'continue a stored run that stopped: cases already stored are not run again')
    .option('--out <file>', 'where to write the HTML report (default: <data dir>/eval-reports/<suite>-<run>.html)')
    .option('--no-report', 'do not write the HTML report')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, flags: RunFlags) => {
      const fromFile = await loadSuiteFile(file);
      await withRuntime(async (runtime, signal) => {
        const results = new EvalResults(runtime.db, runtime.now);
        const stored = flags.resume ? results.get(flags.resume) : undefined;
        // A resumed run keeps the settings it started with, whatever the file says now; only the pace may change.
        const suite = stored ? withOverrides(stored.config, { concurrency: flags.concurrency }) : withOverrides(fromFile, flags);
        if (stored && stored.suite !== fromFile.name) {
          throw new TrellisError('EVAL_SUITE_INVALID', `run ${stored.id} is a run of suite ${stored.suite}, not ${fromFile.name}`);
        }
        const runId = stored?.id ?? randomUUID();
        const { dataset, metrics } = await resolveSuite(suite);
        const cache = createSqliteModelCache(runtime.db, runtime.now);
        const target = createTarget({ target: suite.target, runtime, cache });
        const judge = suite.run.judge ? createJudge(suite.run.judge, runtime.models.chat, cache, suite.run.seed) : undefined;
        process.stderr.write(`eval run ${runId}${stored ? ' (resumed)' : ''}: suite ${suite.name}, ${target.description}\n`);
        const bar = createRunProgressBar();
        let outcome;
        try {
          outcome = await runSuite({
            suite, dataset, target, metrics, results, judge, runId, resume: Boolean(stored), signal,
            onProgress: bar.update,
            onCaseScored: createTraceScoreReporter(runtime.feedback, runId, runtime.logger),
            now: runtime.now,
            trace: runtime.tracing.startJob({
              kind: 'eval',
              name: `eval ${suite.name}`,
              tenantId: 'tenant' in suite.target ? suite.target.tenant : 'default',
              jobId: runId,
              attributes: { 'trellis.eval.suite': suite.name, 'trellis.eval.dataset': dataset.name, 'trellis.eval.target': target.description },
            }),
          });
        } finally {
          bar.stop();
        }
        const calls = cache.stats();
        if (calls.hits + calls.misses > 0) process.stderr.write(`model calls: ${calls.misses} made, ${calls.hits} answered from the cache\n`);
        process.stdout.write(flags.json ? `${JSON.stringify(outcome.summary)}\n` : renderSummary(outcome.run, outcome.summary));
        if (flags.report) {
          const out = await writeReport(results, runId, flags.out ?? defaultReportPath(runtime.config.dataDir, suite.name, runId));
          process.stdout.write(`report: ${out}\n`);
        }
        const misses = thresholdMisses(outcome.run, outcome.summary);
        if (misses.length > 0) {
          throw new TrellisError('EVAL_GATE_FAILED', `run ${runId} misses the suite's thresholds: ${misses.map((miss) => miss.message).join('; ')}`, {
            details: { runId },
          });
        }
      });
    });
  evalCommand
    .command('list')
    .description('stored runs, newest first')
    .option('--suite <name>', 'only runs of this suite')
    .option('--limit <n>', 'at most this many', parsePositive, 20)
    .action(async (flags: { suite?: string; limit: number }) => {
      await withDatabase((db) => {
        const results = new EvalResults(db);
        const runs = results.list({ suite: flags.suite, limit: flags.limit }).map((run) => ({ ...run, cases: results.countCases(run.id) }));
        process.stdout.write(renderRunList(runs));
      });
    });
  evalCommand
    .command('report')
    .description('write the HTML report of a stored run')
    .argument('<run>', 'run id (or a unique prefix of at least 4 characters)')
    .option('--out <file>', 'where to write it (default: <data dir>/eval-reports/<suite>-<run>.html)')
    .option('--max-cases <n>', 'rows of the per-case table at most', parsePositive, 2000)
    .action(async (runId: string, flags: { out?: string; maxCases: number }) => {
      await withDatabase(async (db) => {
        const results = new EvalResults(db);
        const run = results.get(runId);
        const out = await writeReport(results, run.id, flags.out ?? defaultReportPath(loadConfig().dataDir, run.suite, run.id), { maxCases: flags.maxCases });
        process.stdout.write(`report: ${out}\n`);
      });
    });
  evalCommand
    .command('compare')
    .description('per-metric deltas of two runs on their shared cases, with a paired bootstrap test (* marks p < 0.05)')
    .argument('<baseline>', 'run id of the baseline')
    .argument('<candidate>', 'run id of the candidate')
    .option('--seed <n>', 'seed of the bootstrap', parseSeed, 0)
    .option('--json', 'print the comparison as JSON')
    .action(async (baseline: string, candidate: string, flags: { seed: number; json?: boolean }) => {
      await withDatabase((db) => {
        const comparison = compareRuns(new EvalResults(db), baseline, candidate, { seed: flags.seed });
        process.stdout.write(flags.json ? `${JSON.stringify(comparison.metrics)}\n` : renderComparison(comparison.metrics));
      });
    });
  evalCommand
    .command('gate')
    .description('exit non-zero when the candidate run regressed from the baseline by more than --max-drop, or misses a threshold')
    .requiredOption('--baseline <run>', 'run id of the baseline')
    .option('--candidate <run>', 'run id of the candidate (default: the newest completed run of the same suite)')
    .option('--max-drop <x>', 'largest drop allowed on a quality metric, in its units (latency and cost are gated by the suite thresholds)', parseFraction, 0.02)
    .option('--seed <n>', 'seed of the bootstrap', parseSeed, 0)
    .option('--json', 'print the result as JSON')
    .action(async (flags: { baseline: string; candidate?: string; maxDrop: number; seed: number; json?: boolean }) => {
      await withDatabase((db) => {
        const result = gate(new EvalResults(db), { baseline: flags.baseline, candidate: flags.candidate, maxDrop: flags.maxDrop, seed: flags.seed });
        const { baseline, candidate, ...rest } = result;
        process.stdout.write(flags.json ? `${JSON.stringify({ baseline: baseline.id, candidate: candidate.id, ...rest })}\n` : renderGate(result));
        if (!result.passed) {
          throw new TrellisError('EVAL_GATE_FAILED', `run ${candidate.id} fails the gate against ${baseline.id}: ${result.violations.map((violation) => violation.metric).join(', ')}`, {
            details: { baseline: baseline.id, candidate: candidate.id },
          });
        }
      });
    });
  return evalCommand;
}

function parsePositive(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('use a whole number of at least 1');
  return number;
}

function parseSeed(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('use a whole number of at least 0');
  return number;
}

function parseFraction(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError('use a number of at least 0, e.g. 0.02');
  return number;
}
