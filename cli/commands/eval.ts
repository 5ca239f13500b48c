import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../core/config.js';
import { TrellisError } from '../../core/errors.js';
import { compareRuns } from '../../evals/compare/compare-runs.js';
import { gate } from '../../evals/gate/gate.js';
import { defaultReportPath, writeReport } from '../../evals/report/write-report.js';
import { EvalResults } from '../../evals/results/results-store.js';
import { renderComparison, renderGate, renderRunList } from '../render-eval.js';
import { withDatabase } from '../with-database.js';
import type { RunFlags } from './eval-run.js';


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
    // The runner, its targets and the runtime load on use: `trellis eval list|report|gate` only read the database.
    .action(async (file: string, flags: RunFlags) => (await import('./eval-run.js')).runEvalSuite(file, flags));
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
