import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetric } from '../../../evals/metrics/registry.js';
import { EvalResults } from '../../../evals/results/results-store.js';
import { createSqliteModelCache } from '../../../evals/run/model-cache.js';
import { runSuite } from '../../../evals/run/run-suite.js';
import { createTraceScoreReporter } from '../../../evals/run/trace-scores.js';
import { parseSuite } from '../../../evals/suite/load-suite.js';
import { createTarget } from '../../../evals/targets/create-target.js';
import type { EvalCase, EvalDataset } from '../../../evals/types.js';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';

const CODE = { packageVersion: 'test', gitSha: null };

/** Three documents, two judged queries. */
const corpusDataset: EvalDataset = {
  name: 'tiny',
  size: 2,
  async *cases(): AsyncGenerator<EvalCase> {
    yield { id: 'q1', input: 'supersonic wing flutter', expected: { relevant: { d2: 1 } } };
    yield { id: 'q2', input: 'boundary layer heat transfer', expected: { relevant: { d1: 2, d3: 1 } } };
  },
  async *corpus() {
    yield { id: 'd1', title: 'Heat transfer', text: 'Heat transfer through a laminar boundary layer on a flat plate.' };
    yield { id: 'd2', title: 'Flutter', text: 'Flutter of a swept wing at supersonic speed.' };
    yield { id: 'd3', title: 'Boundary layers', text: 'Transition of the boundary layer and its effect on heat transfer.' };
  },
};

const questions: EvalDataset = {
  name: 'capitals',
  size: 2,
  async *cases(): AsyncGenerator<EvalCase> {
    yield { id: 'fr', input: 'What is the capital of France?', expected: { answers: ['Paris'] } };
    yield { id: 'de', input: 'What is the capital of Germany?', expected: { answers: ['Berlin'] } };
  },
};

describe('eval targets against a real runtime and API server', () => {
  let server: ApiServer;
  let results: EvalResults;
  beforeAll(async () => {
    server = await startApiServer({ script: [{ text: 'Paris is the capital.' }] });
    results = new EvalResults(server.runtime.db);
  });
  afterAll(async () => {
    await server.close();
  });

  const run = async (runId: string, target: Record<string, unknown>, dataset: EvalDataset, metrics: string[], env: NodeJS.ProcessEnv = {}) => {
    const suite = parseSuite({ name: runId, dataset: { name: 'jsonl' }, target, metrics }, runId);
    return runSuite({
      suite,
      dataset,
      target: createTarget({ target: suite.target, runtime: server.runtime, cache: createSqliteModelCache(server.runtime.db), env }),
      metrics: metrics.map((name) => createMetric(name)),
      results,
      runId,
      onCaseScored: createTraceScoreReporter(server.runtime.feedback, runId, server.runtime.logger),
      codeVersion: CODE,
    });
  };

  it('retriever: ingests the corpus into a kept knowledge base of the tenant and ranks dataset ids', async () => {
    const { summary } = await run('retriever', { kind: 'retriever', mode: 'keyword', topK: 3, tenant: 'acme' }, corpusDataset, ['ndcg@10', 'recall@100']);
    expect(summary.errors).toBe(0);
    const rows = [...results.cases('retriever')];
    expect(rows.find((row) => row.caseId === 'q1')!.output.retrieved).toEqual(expect.arrayContaining(['d2']));
    expect(rows.every((row) => (row.output.retrieved as string[]).every((id) => ['d1', 'd2', 'd3'].includes(id)))).toBe(true);
    expect(summary.metrics.find((metric) => metric.metric === 'recall@100')!.mean).toBe(1);
    const kbs = server.runtime.knowledge.knowledgeBases.list('acme').map((kb) => kb.name);
    expect(kbs).toEqual([expect.stringMatching(/^eval-tiny-[0-9a-f]{12}$/)]);
    expect(server.runtime.knowledge.knowledgeBases.list('globex')).toEqual([]);

    // A second run finds the same knowledge base and scores the same.
    const again = await run('retriever-again', { kind: 'retriever', mode: 'keyword', topK: 3, tenant: 'acme' }, corpusDataset, ['ndcg@10', 'recall@100']);
    expect(again.summary.metrics.map((metric) => metric.mean)).toEqual(summary.metrics.map((metric) => metric.mean));
    expect(server.runtime.knowledge.knowledgeBases.list('acme')).toHaveLength(1);
  });

  it('agent in-process: runs each case on a new thread and puts its scores on the run trace', async () => {
    const { summary } = await run('agent', { kind: 'agent', name: 'assistant', tenant: 'acme' }, questions, ['contains']);
    expect(summary.metrics[0]).toMatchObject({ metric: 'contains', mean: 0.5, n: 2 });
    const scores = server.runtime.db.prepare("SELECT tenant_id AS tenantId, name, score FROM feedback WHERE name = 'eval.contains' ORDER BY score").all();
    expect(scores).toEqual([
      { tenantId: 'acme', name: 'eval.contains', score: 0 },
      { tenantId: 'acme', name: 'eval.contains', score: 1 },
    ]);
  });

  it('http: calls /v1/chat/completions of a running Trellis with the key the suite names', async () => {
    const target = { kind: 'http', url: server.url, model: 'assistant', apiKeyEnv: 'EVAL_TEST_KEY' };
    const { summary } = await run('http', target, questions, ['contains'], { EVAL_TEST_KEY: server.keys.chat });
    expect(summary).toMatchObject({ cases: 2, errors: 0 });
    expect(summary.metrics[0]!.mean).toBe(0.5);
    expect([...results.cases('http')][0]!.output.answer).toBe('Paris is the capital.');
  });

  it('http: a wrong key fails each case with EVAL_TARGET_UNAVAILABLE, and a missing one fails before the run', async () => {
    const target = { kind: 'http', url: server.url, model: 'assistant', apiKeyEnv: 'EVAL_TEST_KEY' };
    const { summary } = await run('http-bad-key', target, questions, ['contains'], { EVAL_TEST_KEY: 'trellis_not_a_key' });
    expect(summary.errors).toBe(2);
    expect([...results.cases('http-bad-key')][0]!.error).toMatchObject({ code: 'EVAL_TARGET_UNAVAILABLE', message: expect.stringContaining('401') });
    await expect(run('http-no-key', target, questions, ['contains'], {})).rejects.toMatchObject({ code: 'EVAL_TARGET_UNAVAILABLE' });
  });
});
