import { describe, expect, it } from 'vitest';
import { extractLabel } from '../../../evals/metrics/label-accuracy.js';
import { createMetric } from '../../../evals/metrics/registry.js';
import type { CaseExpectation, EvalDataset, MetricContext } from '../../../evals/types.js';

const context: MetricContext = { dataset: { name: 'fixture', cases: async function* none() {} } satisfies EvalDataset };

async function score(metric: string, expected: CaseExpectation, answer: string | undefined, options: Record<string, unknown> = {}) {
  const [result] = await createMetric(metric, options).score({ id: 'c1', input: 'question', expected }, { answer, latencyMs: 5 }, context);
  return result!;
}

describe('extractLabel (yes / no / maybe from free text)', () => {
  it.each([
    ['Yes.', 'yes'],
    ['**No** — the trial found no effect.', 'no'],
    ['Based on the abstract, the answer is: maybe', 'maybe'],
    ['The data show no difference, so the final answer: no', 'no'],
    ['{"answer": "yes", "reason": "..."}', 'yes'],
    ['Final decision - MAYBE. There is some evidence, yes, but not enough.', 'maybe'],
    ['There is no clear evidence either way.', 'no'],
  ])('%s → %s', (text, label) => {
    expect(extractLabel(text)).toBe(label);
  });

  it('gives nothing for an answer without a label, or with conflicting bare labels', () => {
    expect(extractLabel('The study measured cold-chain compliance.')).toBeUndefined();
    expect(extractLabel('It may be that some say no and others yes.')).toBeUndefined();
    expect(extractLabel('')).toBeUndefined();
  });
});

describe('answer metrics', () => {
  it('label_accuracy: 1 for the gold label in prose, 0 for another or none, null without a gold label', async () => {
    expect((await score('label_accuracy', { label: 'no' }, 'No, it does not.')).value).toBe(1);
    expect(await score('yes_no_maybe', { label: 'no' }, 'Yes, clearly.')).toMatchObject({ value: 0, details: { extracted: 'yes' } });
    expect(await score('label_accuracy', { label: 'maybe' }, 'I cannot tell.')).toMatchObject({ value: 0, details: { extracted: null } });
    expect((await score('label_accuracy', {}, 'yes')).value).toBeNull();
  });

  it('exact_match, f1 and contains take the best gold answer and are null without answers', async () => {
    expect((await score('exact_match', { answers: ['Tampa, Florida', 'Tampa'] }, 'tampa')).value).toBe(1);
    expect((await score('f1', { answers: ['Raymond James Stadium'] }, 'James Stadium')).value).toBeCloseTo(0.8, 12);
    expect((await score('contains', { answers: ['Tampa'] }, 'It was in Tampa, Florida.')).value).toBe(1);
    expect((await score('exact_match', {}, 'x')).value).toBeNull();
    expect((await score('f1', { answers: ['x'] }, undefined)).value).toBe(0);
  });

  it('regex uses the case pattern, case-insensitively by default, or the suite pattern', async () => {
    expect((await score('regex', { pattern: 'factual errors?' }, 'There are Factual Errors in the documents.')).value).toBe(1);
    expect((await score('regex', { pattern: 'factual errors?' }, 'The answer is Tampa.')).value).toBe(0);
    expect((await score('regex', {}, 'order #W123', { pattern: '#W\\d+', flags: '' })).value).toBe(1);
    expect((await score('regex', {}, 'anything')).value).toBeNull();
  });

  it('regex refuses a pattern that does not compile, with a code', async () => {
    await expect(score('regex', { pattern: '(' }, 'x')).rejects.toMatchObject({ code: 'EVAL_METRIC_OPTIONS_INVALID' });
  });

  it('json_schema validates JSON found in the answer (fenced or in prose) and reports why it fails', async () => {
    const jsonSchema = { type: 'object', required: ['city'], properties: { city: { type: 'string' }, year: { type: 'integer' } } };
    // One metric for all answers: building Ajv is the slow part, and a run builds it once.
    const metric = createMetric('json_schema');
    const check = async (answer: string) => (await metric.score({ id: 'c1', input: 'q', expected: { jsonSchema } }, { answer, latencyMs: 1 }, context))[0]!;
    expect((await check('Here:\n```json\n{"city": "Tampa", "year": 2021}\n```')).value).toBe(1);
    expect((await check('Result {"city": "Tampa"} as asked')).value).toBe(1);
    expect(await check('{"year": "2021"}')).toMatchObject({ value: 0, details: { errors: expect.arrayContaining([expect.stringContaining('city')]) } });
    expect((await check('no json here')).value).toBe(0);
  });
});
