import { describe, expect, it } from 'vitest';
import { parseJudgeScore } from '../../../evals/metrics/judge-score.js';
import { createMetric } from '../../../evals/metrics/registry.js';
import type { EvalCase, EvalDataset, MetricContext, TargetOutput } from '../../../evals/types.js';

describe('parseJudgeScore', () => {
  it.each([
    ['{"score": 0.8, "reason": "mostly supported"}', '0-1', 0.8],
    ['```json\n{"score": "0.25"}\n```', '0-1', 0.25],
    ['Sure. {"score": 4, "reason": "good"} Hope that helps.', '1-5', 0.75],
    ['Score: 5/5', '0-1', 1],
    ['score = 2 out of 5', '1-5', 0.25],
    ['3', '1-5', 0.5],
    ['0.6', '0-1', 0.6],
    ['1', '0-1', 1],
    ['1', '1-5', 0],
    ['Score: 4', '0-1', 0.75],
    ['Score: 7/10', '0-1', 0.7],
  ] as const)('%j on a %s prompt → %d', (reply, scale, value) => {
    expect(parseJudgeScore(reply, scale)?.value).toBeCloseTo(value, 12);
  });

  it('keeps the judge reason and refuses replies without a usable score', () => {
    expect(parseJudgeScore('{"score": 1, "reason": "all supported"}', '0-1')).toEqual({ value: 1, reason: 'all supported' });
    expect(parseJudgeScore('I think it is fine.', '0-1')).toBeUndefined();
    expect(parseJudgeScore('{"score": 9}', '0-1')).toBeUndefined();
    expect(parseJudgeScore('Score: -1', '1-5')).toBeUndefined();
  });
});

describe('judge metrics', () => {
  const evalCase: EvalCase = {
    id: 'c1',
    input: 'Where was Super Bowl LV played?',
    context: ['Super Bowl LV was played at Raymond James Stadium in Tampa, Florida.'],
    expected: { answers: ['Tampa, Florida'] },
  };
  const output: TargetOutput = { answer: 'In Tampa, Florida.', latencyMs: 3 };
  const dataset: EvalDataset = { name: 'fixture', cases: async function* none() {} };

  it('fills the versioned prompt, asks the judge, and records the judge model and prompt version', async () => {
    const prompts: string[] = [];
    const context: MetricContext = {
      dataset,
      judgeModelId: 'judge-model-1',
      judge: (prompt) => {
        prompts.push(prompt);
        return Promise.resolve('{"score": 0.9, "reason": "supported"}');
      },
    };
    const metric = createMetric('faithfulness');
    expect(metric.version).toBe('faithfulness-v1');
    const [score] = await metric.score(evalCase, output, context);
    expect(score).toEqual({ metric: 'faithfulness', value: 0.9, details: { judgeModelId: 'judge-model-1', promptVersion: 'faithfulness-v1', reason: 'supported' } });
    expect(prompts[0]).toContain('[1] Super Bowl LV was played at Raymond James Stadium');
    expect(prompts[0]).toContain('In Tampa, Florida.');
    expect(prompts[0]).not.toContain('{{');
  });

  it('maps a 1-5 judge scale (answer_relevance) and prefers the retrieved passages over the given context', async () => {
    const prompts: string[] = [];
    const context: MetricContext = { dataset, judge: (prompt) => (prompts.push(prompt), Promise.resolve('Score: 4')) };
    const [relevance] = await createMetric('answer_relevance').score(evalCase, output, context);
    expect(relevance!.value).toBe(0.75);
    const retrieved: TargetOutput = { ...output, retrieved: [{ id: 'p9', text: 'A retrieved passage.' }] };
    await createMetric('context_recall').score(evalCase, retrieved, context);
    expect(prompts[1]).toContain('[1] A retrieved passage.');
    expect(prompts[1]).toContain('Tampa, Florida');
  });

  it('is null when the case lacks what the prompt needs or the judge gives no score, and fails without a judge', async () => {
    const context: MetricContext = { dataset, judge: () => Promise.resolve('It looks fine to me.') };
    expect((await createMetric('context_recall').score({ ...evalCase, expected: {} }, output, context))[0]!.value).toBeNull();
    const [unparsed] = await createMetric('context_precision').score(evalCase, output, context);
    expect(unparsed).toMatchObject({ value: null, details: { error: expect.any(String), reply: 'It looks fine to me.' } });
    await expect(createMetric('faithfulness').score(evalCase, output, { dataset })).rejects.toMatchObject({ code: 'EVAL_JUDGE_NOT_CONFIGURED' });
  });
});
