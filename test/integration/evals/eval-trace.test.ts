import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';
import { silentLogger } from '../../../core/logger.js';
import { TraceStore } from '../../../core/tracing/trace-store.js';
import { createTracing, type Tracing } from '../../../core/tracing/tracing.js';
import { createMetric } from '../../../evals/metrics/registry.js';
import { runSuite } from '../../../evals/run/run-suite.js';
import { openEvalResults, recordingTarget, syntheticDataset, syntheticSuite } from '../../helpers/eval-fixtures.js';

/** An eval run is a job with a trace of its own: a span per case with its scores, the means on the root. */
describe('eval run traces', () => {
  let store: ReturnType<typeof openEvalResults>;
  let tracing: Tracing;
  beforeEach(() => {
    store = openEvalResults();
    tracing = createTracing({ settings: loadConfig({ env: {}, cwd: process.cwd() }).tracing, db: store.db, logger: silentLogger, version: 'test' });
  });
  afterEach(async () => {
    await tracing.shutdown();
    store.dispose();
  });

  it('records one trace per run: the root with the means, a child span per case with its scores and errors', async () => {
    const target = recordingTarget((evalCase) => {
      if (evalCase.id === 'case-3') throw new Error('the model is down');
      return evalCase.id === 'case-1' ? 'nonsense' : `a${evalCase.id.slice(5)}`;
    });
    await runSuite({
      suite: syntheticSuite(),
      dataset: syntheticDataset(4),
      target,
      metrics: [createMetric('exact_match', {})],
      results: store.results,
      runId: 'run-traced',
      codeVersion: { packageVersion: 'test', gitSha: null },
      trace: tracing.startJob({ kind: 'eval', name: 'eval synthetic', tenantId: 'acme', jobId: 'run-traced' }),
    });
    await tracing.flush();

    const traces = new TraceStore(store.db);
    const [listed] = traces.list({ tenantId: 'acme', limit: 5 }).traces;
    expect(listed).toMatchObject({ name: 'eval synthetic', status: 'ok' });
    const [root] = traces.get('acme', listed!.traceId).roots;
    expect(root).toMatchObject({ kind: 'eval', attributes: expect.objectContaining({ 'trellis.job.id': 'run-traced', 'trellis.eval.cases': 4, 'trellis.eval.errors': 1 }) });
    expect(root!.attributes['trellis.eval.mean.exact_match']).toBeCloseTo(0.5, 10);
    const cases = Object.fromEntries(root!.children.map((span) => [span.attributes['trellis.eval.case.id'], span]));
    expect(Object.keys(cases).sort()).toEqual(['case-0', 'case-1', 'case-2', 'case-3']);
    expect(cases['case-0']).toMatchObject({ kind: 'eval', status: 'ok', attributes: expect.objectContaining({ 'trellis.eval.score.exact_match': 1 }) });
    expect(cases['case-1']!.attributes['trellis.eval.score.exact_match']).toBe(0);
    expect(cases['case-3']).toMatchObject({ status: 'error', statusMessage: 'the model is down' });
  });
});
