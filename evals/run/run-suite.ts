import { TrellisError } from '../../core/errors.js';
import type { JobTrace } from '../../core/tracing/job-trace.js';
import type { CaseResult, CodeVersion, EvalResults, EvalRunRecord, MetricInfo } from '../results/results-store.js';
import { summarizeRun, type RunSummary } from '../results/summarize-run.js';
import type { Suite } from '../suite/suite-schema.js';
import type { EvalTarget, TargetResult } from '../targets/target.js';
import type { EvalCase, EvalDataset, Metric, MetricContext, MetricScore } from '../types.js';
import { readCodeVersion } from './code-version.js';
import { RunningStats } from './statistics.js';
import { summarizeOutput } from './summarize-output.js';

/** Where a run stands, after every case. */
export interface RunProgress {
  readonly runId: string;
  /** Cases (× repeats) finished in this session, plus those a resumed run found already stored. */
  readonly done: number;
  /** Cases × repeats, when the dataset knows its size. */
  readonly total?: number;
  /** Of `done`, those stored by an earlier session of a resumed run. */
  readonly skipped: number;
  readonly errors: number;
  /** Running mean of each metric over this session's cases. */
  readonly means: Readonly<Record<string, number>>;
}

export interface RunSuiteOptions {
  readonly suite: Suite;
  readonly dataset: EvalDataset;
  readonly target: EvalTarget;
  readonly metrics: readonly Metric[];
  readonly results: EvalResults;
  /** The judge LLM-as-judge metrics call, and its model id for the report. */
  readonly judge?: { readonly call: (prompt: string) => Promise<string>; readonly modelId: string };
  /** The run's id: a new one, or with `resume` a stored run to continue. */
  readonly runId: string;
  /** Continue the stored run `runId`: cases already stored are skipped, by case id and repeat. */
  readonly resume?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
  /** Sees each case once scored: how scores reach the trace of the Trellis run a target made. */
  readonly onCaseScored?: (result: CaseResult, output: TargetResult) => void;
  readonly codeVersion?: CodeVersion;
  readonly now?: () => Date;
  /** The run's trace (`tracing.startJob`): a span per case with its scores; ended here when the run ends. */
  readonly trace?: JobTrace;
}

export interface RunSuiteResult {
  readonly run: EvalRunRecord;
  readonly summary: RunSummary;
}

/**
 * Runs a suite: streams the dataset's cases (never holding them all), runs each repeat of each case through the
 * target with at most `run.concurrency` in flight, scores it, and stores the case with its scores at once. A run
 * that stops (crash, Ctrl-C) is continued with `resume`: cases stored already are skipped, so none is run or
 * stored twice. The summary is folded from the stored scores, so a resumed run's covers every session.
 */
export async function runSuite(options: RunSuiteOptions): Promise<RunSuiteResult> {
  const { suite, dataset, target, metrics, results } = options;
  const signal = options.signal ?? new AbortController().signal;
  const now = options.now ?? (() => new Date());
  const metricInfo: Record<string, MetricInfo> = Object.fromEntries(
    metrics.map((metric) => [metric.name, { version: metric.version, higherIsBetter: metric.higherIsBetter }]),
  );
  const total = dataset.size === undefined ? undefined : dataset.size * suite.run.repeats;
  const run = options.resume ? resumable(results, options.runId, suite) : results.createRun({
    id: options.runId,
    suite: suite.name,
    config: suite,
    dataset: dataset.name,
    target: target.description,
    models: { target: target.modelId, judge: options.judge?.modelId },
    codeVersion: options.codeVersion ?? readCodeVersion(),
    metrics: metricInfo,
    expectedCases: total ?? null,
    startedAt: now().toISOString(),
  });
  results.markRunning(run.id);

  const context: MetricContext = { dataset, judge: options.judge?.call, judgeModelId: options.judge?.modelId };
  const means = new Map<string, RunningStats>();
  const counts = { done: 0, skipped: 0, errors: 0 };
  const report = () =>
    options.onProgress?.({
      runId: run.id,
      ...counts,
      total,
      means: Object.fromEntries([...means].map(([name, stats]) => [name, stats.mean])),
    });

  async function runCase(evalCase: EvalCase, position: number, repeat: number): Promise<void> {
    const endSpan = options.trace?.step(`eval case ${evalCase.id}`, {
      [EVAL_ATTR.caseId]: evalCase.id,
      [EVAL_ATTR.repeat]: repeat,
      ...(evalCase.category ? { [EVAL_ATTR.category]: evalCase.category } : {}),
    });
    const output = await runTarget(target, evalCase, { repeat, seed: suite.run.seed + repeat, signal });
    // A case cut off by Ctrl-C is not a result: it is left for the resumed run.
    if (signal.aborted) {
      endSpan?.({ error: { code: 'EVAL_RUN_INTERRUPTED', message: 'the run was interrupted' } });
      return;
    }
    const { scores, error } = await scoreCase(metrics, evalCase, output, context);
    const caseError = output.error ?? error;
    endSpan?.({ attributes: scoreAttributes(scores), error: caseError });
    const result: CaseResult = {
      caseId: evalCase.id,
      repeat,
      position,
      category: evalCase.category ?? null,
      latencyMs: output.latencyMs,
      inputTokens: output.inputTokens ?? null,
      outputTokens: output.outputTokens ?? null,
      costUsd: output.costUsd ?? null,
      error: caseError ?? null,
      output: summarizeOutput(output),
      scores,
    };
    results.recordCase(run.id, result);
    counts.done += 1;
    if (caseError) counts.errors += 1;
    for (const score of scores) {
      if (score.value === null) continue;
      if (!means.has(score.metric)) means.set(score.metric, new RunningStats());
      means.get(score.metric)!.add(score.value);
    }
    options.onCaseScored?.(result, output);
    report();
  }

  try {
    if (target.prepare) await target.prepare(dataset, signal);
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let position = -1;
    cases: for await (const evalCase of dataset.cases()) {
      position += 1;
      for (let repeat = 0; repeat < suite.run.repeats; repeat++) {
        if (signal.aborted || failure !== undefined) break cases;
        if (results.hasCase(run.id, evalCase.id, repeat)) {
          counts.done += 1;
          counts.skipped += 1;
          report();
          continue;
        }
        // Back-pressure: the next case is read only when a slot is free, so memory is bounded by concurrency.
        while (inFlight.size >= suite.run.concurrency) await Promise.race(inFlight);
        const task: Promise<void> = runCase(evalCase, position, repeat)
          .catch((error: unknown) => {
            failure ??= error;
          })
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.finish(run.id, 'failed', message);
    options.trace?.end({ status: 'failed', error: { code: TrellisError.isInstance(error) ? error.code : 'INTERNAL', message } });
    throw error;
  } finally {
    await target.close();
  }
  const finished = { attributes: { ...meanAttributes(means), [EVAL_ATTR.cases]: counts.done, [EVAL_ATTR.errors]: counts.errors } };
  if (signal.aborted) {
    options.trace?.end({ status: 'cancelled', ...finished });
    results.finish(run.id, 'interrupted');
    throw new TrellisError('EVAL_RUN_INTERRUPTED', `eval run ${run.id} was interrupted after ${counts.done} cases`, {
      hint: `Continue it with \`trellis eval run <suite> --resume ${run.id}\`.`,
      details: { runId: run.id, done: counts.done },
    });
  }
  results.finish(run.id, 'completed');
  options.trace?.end({ status: 'completed', ...finished });
  return { run: results.get(run.id), summary: summarizeRun(results, run.id) };
}

/** Span attributes of an eval run's trace; a case's scores are `trellis.eval.score.<metric>`, the run's means `…mean.<metric>`. */
const EVAL_ATTR = {
  caseId: 'trellis.eval.case.id',
  repeat: 'trellis.eval.case.repeat',
  category: 'trellis.eval.case.category',
  cases: 'trellis.eval.cases',
  errors: 'trellis.eval.errors',
  score: 'trellis.eval.score.',
  mean: 'trellis.eval.mean.',
} as const;

function scoreAttributes(scores: readonly MetricScore[]): Record<string, number> {
  return Object.fromEntries(scores.filter((score) => score.value !== null).map((score) => [`${EVAL_ATTR.score}${score.metric}`, score.value!]));
}

function meanAttributes(means: ReadonlyMap<string, RunningStats>): Record<string, number> {
  return Object.fromEntries([...means].map(([metric, stats]) => [`${EVAL_ATTR.mean}${metric}`, stats.mean]));
}

function resumable(results: EvalResults, id: string, suite: Suite): EvalRunRecord {
  const run = results.get(id);
  if (run.suite !== suite.name) {
    throw new TrellisError('EVAL_SUITE_INVALID', `run ${run.id} is a run of suite ${run.suite}, not ${suite.name}`, {
      hint: `Resume it with its own suite file, or start a new run without --resume.`,
      details: { runId: run.id, suite: run.suite },
    });
  }
  return run;
}

/** Runs the target on one case; a throw becomes the case's error, timed like any other output. */
async function runTarget(target: EvalTarget, evalCase: EvalCase, context: Parameters<EvalTarget['run']>[1]): Promise<TargetResult> {
  const started = performance.now();
  try {
    return await target.run(evalCase, context);
  } catch (error) {
    const code = TrellisError.isInstance(error) ? error.code : 'INTERNAL';
    return { latencyMs: performance.now() - started, error: { code, message: error instanceof Error ? error.message : String(error) } };
  }
}

/** Failures of the suite rather than of a case: every case would fail the same way, so the run stops. */
const CONFIGURATION_ERRORS = ['EVAL_JUDGE_NOT_CONFIGURED', 'EVAL_METRIC_OPTIONS_INVALID'] as const;

/**
 * Scores a case with every metric. A failed case scores 0 on every quality metric (latency and cost are still
 * measured); a metric that throws (a judge that is down) fails the case, unless the suite itself is at fault.
 */
async function scoreCase(
  metrics: readonly Metric[],
  evalCase: EvalCase,
  output: TargetResult,
  context: MetricContext,
): Promise<{ scores: MetricScore[]; error?: { code: string; message: string } }> {
  const scores: MetricScore[] = [];
  let error: { code: string; message: string } | undefined;
  for (const metric of metrics) {
    if (output.error && metric.higherIsBetter) {
      scores.push({ metric: metric.name, value: 0, details: { error: output.error.code } });
      continue;
    }
    try {
      scores.push(...(await metric.score(evalCase, output, context)));
    } catch (thrown) {
      if (CONFIGURATION_ERRORS.some((code) => TrellisError.isInstance(thrown, code))) throw thrown;
      const code = TrellisError.isInstance(thrown) ? thrown.code : 'INTERNAL';
      const message = `metric ${metric.name}: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
      error ??= { code, message };
      scores.push({ metric: metric.name, value: metric.higherIsBetter ? 0 : null, details: { error: code } });
    }
  }
  return { scores, error };
}
