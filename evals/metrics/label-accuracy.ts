import { z } from 'zod';
import type { EvalCase, MetricFactory, MetricScore, TargetOutput } from '../types.js';
import { parseMetricOptions } from './metric-options.js';

/** PubMedQA's answer labels. */
export type Label = 'yes' | 'no' | 'maybe';

const WORD = /\b(yes|no|maybe)\b/g;
// "Answer: yes", "final decision - **No**", {"answer": "maybe"}: a label right after a naming word wins.
const NAMED = /\b(?:final answer|answer|decision|label|verdict|conclusion)\b["'*\s]*(?:is\s*)?[:=\-–]?["'*\s]*(yes|no|maybe)\b/g;
const LEADING = /^[\s"'*#>_\-([]*(yes|no|maybe)\b/;

/**
 * The yes / no / maybe label a free-text answer gives, or undefined when it gives none clearly. In order: the last
 * label named as the answer ("Answer: no"), then a label opening the reply ("Yes, because…"), then the only label
 * word in the text. Several different bare label words ("no evidence… yes") are ambiguous and give undefined.
 */
export function extractLabel(answer: string): Label | undefined {
  const text = answer.toLowerCase();
  const named = [...text.matchAll(NAMED)].at(-1)?.[1];
  if (named) return named as Label;
  const leading = LEADING.exec(text)?.[1];
  if (leading) return leading as Label;
  const words = new Set([...text.matchAll(WORD)].map((match) => match[1] as Label));
  return words.size === 1 ? [...words][0] : undefined;
}

/**
 * `label_accuracy` (alias `yes_no_maybe`): 1 when the label extracted from the answer equals `expected.label`
 * (PubMedQA's yes / no / maybe); an answer without a clear label scores 0. Null for a case without a label.
 */
export const labelAccuracyMetric: MetricFactory = (options) => {
  parseMetricOptions('label_accuracy', z.object({}).strict(), options);
  return {
    name: 'label_accuracy',
    version: '1',
    higherIsBetter: true,
    score(evalCase: EvalCase, output: TargetOutput): MetricScore[] {
      const expected = evalCase.expected.label?.toLowerCase();
      if (expected === undefined) return [{ metric: 'label_accuracy', value: null }];
      const extracted = extractLabel(output.answer ?? '');
      return [{ metric: 'label_accuracy', value: extracted === expected ? 1 : 0, details: { extracted: extracted ?? null, expected } }];
    },
  };
};
