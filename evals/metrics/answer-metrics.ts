import { z } from 'zod';
import type { EvalCase, Metric, MetricFactory, MetricScore, TargetOutput } from '../types.js';
import { parseMetricOptions } from './metric-options.js';
import { bestOverAnswers, containsAnswer, exactMatch, normalizeAnswer, tokenF1 } from './squad-answer.js';

const NoOptions = z.object({}).strict();

/** A metric of `output.answer` against `expected.answers` (best over them); null for a case without answers. */
function answerMetric(name: string, score: (prediction: string, gold: string) => number): MetricFactory {
  return (options) => {
    parseMetricOptions(name, NoOptions, options);
    const metric: Metric = {
      name,
      version: '1',
      higherIsBetter: true,
      score(evalCase: EvalCase, output: TargetOutput): MetricScore[] {
        const golds = evalCase.expected.answers ?? [];
        if (golds.length === 0) return [{ metric: name, value: null }];
        const answer = output.answer ?? '';
        return [{ metric: name, value: bestOverAnswers(score, answer, golds), details: { normalized: normalizeAnswer(answer).slice(0, 200) } }];
      },
    };
    return metric;
  };
}

/** `exact_match`: SQuAD exact match after its normalisation. */
export const exactMatchMetric = answerMetric('exact_match', exactMatch);

/** `f1`: SQuAD token F1 after its normalisation. */
export const f1Metric = answerMetric('f1', tokenF1);

/** `contains`: a gold answer occurs in the answer (as whole normalized tokens), as RGB and long-form QA check. */
export const containsMetric = answerMetric('contains', containsAnswer);
