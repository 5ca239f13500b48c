import { randomUUID } from 'node:crypto';
import { TrellisError } from '../../core/errors.js';
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
import { renderSummary } from '../render-eval.js';
import { withRuntime } from '../with-runtime.js';

export interface RunFlags {
  limit?: number;
  concurrency?: number;
  repeats?: number;
  resume?: string;
  out?: string;
  report: boolean;
  json?: boolean;
}

/**
 * `trellis eval run <suite>`: every case through the target, scored and stored (resumable), traced as a job, the
 * summary printed and the HTML report written; exits with EVAL_GATE_FAILED when a suite threshold is missed.
 */
export async function runEvalSuite(file: string, flags: RunFlags): Promise<void> {
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
}
