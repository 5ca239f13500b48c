import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import { compareRuns } from '../../../evals/compare/compare-runs.js';
import { gate } from '../../../evals/gate/gate.js';
import { writeReport } from '../../../evals/report/write-report.js';
import type { EvalResults } from '../../../evals/results/results-store.js';
import { runSuite } from '../../../evals/run/run-suite.js';
import { createMetric } from '../../../evals/metrics/registry.js';
import type { EvalDataset } from '../../../evals/types.js';
import { openEvalResults, recordingTarget, syntheticDataset, syntheticSuite } from '../../helpers/eval-fixtures.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const exactMatch = () => [createMetric('exact_match')];
const CODE = { packageVersion: 'test', gitSha: null };

describe('runSuite', () => {
  let store: ReturnType<typeof openEvalResults>;
  let results: EvalResults;
  beforeEach(() => {
    store = openEvalResults();
    results = store.results;
  });
  afterEach(() => store.dispose());

  /** Runs the synthetic suite with a target that answers right unless `wrong(index)`. */
  const runWith = (runId: string, wrong: (index: number) => boolean, options: { count?: number; suite?: Record<string, unknown> } = {}) =>
    runSuite({
      suite: syntheticSuite(options.suite),
      dataset: syntheticDataset(options.count ?? 40),
      target: recordingTarget((evalCase) => (wrong(Number(evalCase.id.slice(5))) ? 'nonsense' : `a${evalCase.id.slice(5)}`)),
      metrics: exactMatch(),
      results,
      runId,
      codeVersion: CODE,
    });

  it('scores every case, stores it, and reports mean ± 95% CI per metric and per category', async () => {
    const { run, summary } = await runWith('run-a', (index) => index % 4 === 0);
    expect(run.status).toBe('completed');
    expect(summary.cases).toBe(40);
    const [metric] = summary.metrics;
    expect(metric).toMatchObject({ metric: 'exact_match', n: 40 });
    expect(metric!.mean).toBeCloseTo(0.75, 10);
    expect(metric!.ciLow).toBeLessThan(0.75);
    expect(metric!.ciHigh).toBeGreaterThan(0.75);
    // Every fourth case is even, so the even category holds all the misses.
    expect(metric!.byCategory).toEqual({ even: { mean: 0.5, n: 20 }, odd: { mean: 1, n: 20 } });
  });

  it('keeps at most `concurrency` cases in flight and reads the dataset only as slots free up', async () => {
    let read = 0;
    const dataset: EvalDataset = {
      name: 'counted',
      async *cases() {
        for (let index = 0; index < 30; index++) {
          read += 1;
          yield { id: `case-${index}`, input: `q${index}`, expected: { answers: [`a${index}`] } };
        }
      },
    };
    let maxAhead = 0;
    const target = recordingTarget(async (evalCase) => {
      maxAhead = Math.max(maxAhead, read - target.calls.length);
      await new Promise((resolve) => setTimeout(resolve, 2));
      return `a${evalCase.id.slice(5)}`;
    });
    await runSuite({ suite: syntheticSuite({ run: { concurrency: 3 } }), dataset, target, metrics: exactMatch(), results, runId: 'bounded', codeVersion: CODE });
    expect(target.maxInFlight).toBe(3);
    expect(maxAhead).toBeLessThanOrEqual(1);
    expect(results.countCases('bounded')).toBe(30);
  });

  it('runs each case once per repeat with the repeat seed, and reports the spread between repeats', async () => {
    const target = recordingTarget((evalCase, context) => (context.repeat === 0 ? `a${evalCase.id.slice(5)}` : 'nonsense'));
    const { summary } = await runSuite({
      suite: syntheticSuite({ run: { repeats: 2, seed: 7 } }),
      dataset: syntheticDataset(5),
      target,
      metrics: exactMatch(),
      results,
      runId: 'repeats',
      codeVersion: CODE,
    });
    expect(target.calls.filter((call) => call.caseId === 'case-0').map(({ repeat, seed }) => ({ repeat, seed }))).toEqual([
      { repeat: 0, seed: 7 },
      { repeat: 1, seed: 8 },
    ]);
    expect(summary.cases).toBe(10);
    // Each case averages its repeats (1 and 0), so every case scores 0.5; the repeats' means are 1 and 0.
    expect(summary.metrics[0]).toMatchObject({ mean: 0.5, stdDev: 0, repeatStdDev: Math.SQRT1_2 });
  });

  it('records a target failure on the case, scores it 0, and goes on', async () => {
    const target = recordingTarget((evalCase) => {
      if (evalCase.id === 'case-3') throw new TrellisError('MODEL_CALL_FAILED', 'endpoint said 500');
      return `a${evalCase.id.slice(5)}`;
    });
    const { summary } = await runSuite({ suite: syntheticSuite(), dataset: syntheticDataset(6), target, metrics: exactMatch(), results, runId: 'failing', codeVersion: CODE });
    expect(summary).toMatchObject({ cases: 6, errors: 1 });
    expect(summary.metrics[0]!.mean).toBeCloseTo(5 / 6);
    const failed = [...results.cases('failing')].find((row) => row.caseId === 'case-3');
    expect(failed).toMatchObject({ error: { code: 'MODEL_CALL_FAILED', message: 'endpoint said 500' }, scores: { exact_match: 0 } });
  });

  it('stops a run whose metric needs a judge the suite lacks, instead of failing every case', async () => {
    const run = runSuite({
      suite: syntheticSuite(),
      dataset: syntheticDataset(3),
      target: recordingTarget(() => 'x'),
      metrics: [createMetric('answer_relevance')],
      results,
      runId: 'no-judge',
      codeVersion: CODE,
    });
    await expect(run).rejects.toMatchObject({ code: 'EVAL_JUDGE_NOT_CONFIGURED' });
    expect(results.get('no-judge').status).toBe('failed');
  });

  describe('resume', () => {
    it('continues an interrupted run without running or storing any case twice', async () => {
      const controller = new AbortController();
      const first = recordingTarget(async (evalCase) => {
        if (first.calls.length === 12) controller.abort();
        await yieldToEventLoop();
        return `a${evalCase.id.slice(5)}`;
      });
      const suite = syntheticSuite({ run: { concurrency: 4, repeats: 2 } });
      const interrupted = runSuite({ suite, dataset: syntheticDataset(20), target: first, metrics: exactMatch(), results, runId: 'crashy', signal: controller.signal, codeVersion: CODE });
      await expect(interrupted).rejects.toMatchObject({ code: 'EVAL_RUN_INTERRUPTED' });
      expect(results.get('crashy').status).toBe('interrupted');
      const storedBefore = [...results.cases('crashy')].map((row) => `${row.caseId}/${row.repeat}`);
      expect(storedBefore.length).toBeGreaterThan(0);
      expect(storedBefore.length).toBeLessThan(40);

      const second = recordingTarget((evalCase) => `a${evalCase.id.slice(5)}`);
      const { run, summary } = await runSuite({ suite, dataset: syntheticDataset(20), target: second, metrics: exactMatch(), results, runId: 'crashy', resume: true, codeVersion: CODE });
      const rerun = second.calls.map((call) => `${call.caseId}/${call.repeat}`);
      expect(rerun.filter((key) => storedBefore.includes(key))).toEqual([]);
      expect(rerun.length + storedBefore.length).toBe(40);
      expect(run.status).toBe('completed');
      expect(summary).toMatchObject({ cases: 40, errors: 0 });
      expect(summary.metrics[0]!.mean).toBe(1);
    });

    it('refuses to resume a run with another suite', async () => {
      await runWith('other', () => false, { count: 2 });
      const resumed = runSuite({
        suite: syntheticSuite({ name: 'different' }),
        dataset: syntheticDataset(2),
        target: recordingTarget(() => 'a'),
        metrics: exactMatch(),
        results,
        runId: 'other',
        resume: true,
        codeVersion: CODE,
      });
      await expect(resumed).rejects.toMatchObject({ code: 'EVAL_SUITE_INVALID' });
    });

    it('answers EVAL_RUN_NOT_FOUND for an unknown run', async () => {
      const resumed = runSuite({ suite: syntheticSuite(), dataset: syntheticDataset(2), target: recordingTarget(() => 'a'), metrics: exactMatch(), results, runId: 'nope', resume: true, codeVersion: CODE });
      await expect(resumed).rejects.toMatchObject({ code: 'EVAL_RUN_NOT_FOUND' });
    });
  });

  describe('compare', () => {
    it('finds a clear difference significant (p < 0.05) and identical runs not', async () => {
      await runWith('good', () => false);
      await runWith('same', () => false);
      await runWith('worse', (index) => index % 2 === 0);
      const identical = compareRuns(results, 'good', 'same', { seed: 1 });
      expect(identical.metrics[0]).toMatchObject({ metric: 'exact_match', delta: 0, pairs: 40 });
      expect(identical.metrics[0]!.p).toBeGreaterThan(0.05);
      const different = compareRuns(results, 'good', 'worse', { seed: 1 });
      expect(different.metrics[0]).toMatchObject({ baseline: 1, candidate: 0.5, delta: -0.5 });
      expect(different.metrics[0]!.p).toBeLessThan(0.05);
      expect(compareRuns(results, 'good', 'worse', { seed: 1 })).toEqual(different);
    });

    it('refuses runs that share no case', async () => {
      await runWith('left', () => false, { count: 3 });
      await runSuite({ suite: syntheticSuite(), dataset: syntheticDataset(0), target: recordingTarget(() => ''), metrics: exactMatch(), results, runId: 'empty', codeVersion: CODE });
      expect(() => compareRuns(results, 'left', 'empty')).toThrow(expect.objectContaining({ code: 'EVAL_RUNS_INCOMPARABLE' }));
    });
  });

  describe('gate', () => {
    it('passes an unchanged run and fails an injected regression', async () => {
      await runWith('baseline', (index) => index % 10 === 0);
      await runWith('unchanged', (index) => index % 10 === 0);
      expect(gate(results, { baseline: 'baseline', candidate: 'unchanged', maxDrop: 0.02 })).toMatchObject({ passed: true, violations: [] });
      await runWith('regressed', (index) => index % 10 === 0 || index % 7 === 0);
      const failed = gate(results, { baseline: 'baseline', maxDrop: 0.02 });
      expect(failed.candidate.id).toBe('regressed');
      expect(failed.passed).toBe(false);
      expect(failed.violations).toEqual([expect.objectContaining({ metric: 'exact_match', reason: 'regressed' })]);
    });

    it('fails a candidate below the suite threshold even without a drop', async () => {
      const suite = { thresholds: { exact_match: 0.9 } };
      await runWith('low-a', (index) => index % 5 === 0, { suite });
      await runWith('low-b', (index) => index % 5 === 0, { suite });
      const result = gate(results, { baseline: 'low-a', candidate: 'low-b', maxDrop: 0.02 });
      expect(result.violations).toEqual([expect.objectContaining({ metric: 'exact_match', reason: 'below-threshold' })]);
    });
  });

  it('writes a self-contained report that escapes what the dataset and target wrote', async () => {
    const hostile: EvalDataset = {
      name: 'hostile',
      size: 2,
      async *cases() {
        yield { id: '<script>alert(1)</script>', input: 'q', category: '<b>x</b>', expected: { answers: ['a'] } };
        yield { id: 'plain', input: 'q', category: 'y', expected: { answers: ['a'] } };
      },
    };
    await runSuite({ suite: syntheticSuite(), dataset: hostile, target: recordingTarget(() => '<img src=x onerror=alert(2)>'), metrics: exactMatch(), results, runId: 'hostile', codeVersion: CODE });
    const temp = makeTempDir();
    try {
      const file = await writeReport(results, 'hostile', path.join(temp.dir, 'nested', 'report.html'));
      const html = readFileSync(file, 'utf8');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toMatch(/<script|<img|<b>x/);
      expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
      expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(3);
    } finally {
      temp.remove();
    }
  });
});
