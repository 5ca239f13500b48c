import { describe, expect, it } from 'vitest';
import { createMetric, METRIC_FACTORIES } from '../../../evals/metrics/registry.js';
import type { EvalDataset, MetricContext } from '../../../evals/types.js';

const context: MetricContext = { dataset: { name: 'fixture', cases: async function* none() {} } satisfies EvalDataset };

describe('createMetric', () => {
  it('builds every registered metric by the name a suite uses, cut-offs from name@k', () => {
    for (const name of Object.keys(METRIC_FACTORIES)) {
      const suiteName = ['ndcg', 'recall'].includes(name) ? `${name}@10` : name;
      expect(createMetric(suiteName).name).toBe(name === 'yes_no_maybe' ? 'label_accuracy' : suiteName);
    }
  });

  it('refuses unknown names listing the known ones, and bad options naming the field', () => {
    expect(() => createMetric('bleu')).toThrow(expect.objectContaining({ code: 'EVAL_METRIC_UNKNOWN', details: expect.objectContaining({ known: expect.arrayContaining(['ndcg', 'f1']) }) }));
    expect(() => createMetric('f1@3')).toThrow(expect.objectContaining({ code: 'EVAL_METRIC_UNKNOWN' }));
    expect(() => createMetric('ndcg')).toThrow(expect.objectContaining({ code: 'EVAL_METRIC_OPTIONS_INVALID', message: expect.stringContaining('k') }));
    expect(() => createMetric('ndcg@0')).toThrow(expect.objectContaining({ code: 'EVAL_METRIC_OPTIONS_INVALID' }));
    expect(() => createMetric('exact_match', { ignoreCase: true })).toThrow(expect.objectContaining({ code: 'EVAL_METRIC_OPTIONS_INVALID' }));
  });
});

describe('usage metrics', () => {
  const output = { latencyMs: 120, inputTokens: 1000, outputTokens: 200 };
  const evalCase = { id: 'c', input: 'q', expected: {} };

  it('report latency, tokens and cost raw, lower being better', async () => {
    const value = async (name: string, options = {}, target: typeof output & { costUsd?: number } = output) =>
      (await createMetric(name, options).score(evalCase, target, context))[0]!.value;
    expect(createMetric('latency_ms').higherIsBetter).toBe(false);
    expect(await value('latency_ms')).toBe(120);
    expect(await value('total_tokens')).toBe(1200);
    expect(await value('cost_usd')).toBeNull();
    expect(await value('cost_usd', { inputUsdPerMillion: 2, outputUsdPerMillion: 10 })).toBeCloseTo(0.004, 12);
    expect(await value('cost_usd', { inputUsdPerMillion: 2 }, { ...output, costUsd: 0.5 })).toBe(0.5);
  });
});
