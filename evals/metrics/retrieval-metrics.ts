import { z } from 'zod';
import type { EvalCase, Metric, MetricFactory, MetricScore, TargetOutput } from '../types.js';
import { averagePrecision, type Judgments, mrrAtK, ndcgAtK, recallAtK } from './ir.js';
import { parseMetricOptions } from './metric-options.js';

const AtK = z.object({ k: z.number().int().min(1) }).strict();
const OptionalK = z.object({ k: z.number().int().min(1).optional() }).strict();

/**
 * A ranking metric of `output.retrieved` against `expected.relevant`, per case, with trec_eval's definitions (see
 * ir.ts). Not applicable (null) to a case with no relevant document, which trec_eval leaves out of its means too;
 * a case whose target retrieved nothing scores 0. Duplicate ids keep their first rank (trec_eval requires unique
 * document ids; counting a relevant document twice would inflate every measure).
 */
function rankingMetric(name: string, measure: (ranking: readonly string[], judgments: Judgments) => number): Metric {
  return {
    name,
    version: '1',
    higherIsBetter: true,
    score(evalCase: EvalCase, output: TargetOutput): MetricScore[] {
      const judgments = new Map(Object.entries(evalCase.expected.relevant ?? {}));
      const relevant = [...judgments.values()].filter((gain) => gain > 0).length;
      if (relevant === 0) return [{ metric: name, value: null }];
      const ranking = [...new Set((output.retrieved ?? []).map((passage) => passage.id))];
      return [{ metric: name, value: measure(ranking, judgments), details: { relevant, retrieved: ranking.length } }];
    },
  };
}

/** `ndcg@k`: trec_eval's ndcg_cut.k (graded gains, log2 discount, ideal ordering of every judged document). */
export const ndcgMetric: MetricFactory = (options) => {
  const { k } = parseMetricOptions('ndcg', AtK, options);
  return rankingMetric(`ndcg@${k}`, (ranking, judgments) => ndcgAtK(ranking, judgments, k));
};

/** `recall@k`: the share of relevant documents in the top k (trec_eval's recall.k). */
export const recallMetric: MetricFactory = (options) => {
  const { k } = parseMetricOptions('recall', AtK, options);
  return rankingMetric(`recall@${k}`, (ranking, judgments) => recallAtK(ranking, judgments, k));
};

/** `mrr` (trec_eval's recip_rank, whole ranking) or `mrr@k`: 1 / rank of the first relevant document. */
export const mrrMetric: MetricFactory = (options) => {
  const { k } = parseMetricOptions('mrr', OptionalK, options);
  return rankingMetric(k === undefined ? 'mrr' : `mrr@${k}`, (ranking, judgments) => mrrAtK(ranking, judgments, k ?? ranking.length));
};

/** `map`: average precision of the case (trec_eval's map per query); its mean over cases is MAP. */
export const mapMetric: MetricFactory = (options) => {
  parseMetricOptions('map', z.object({}).strict(), options);
  return rankingMetric('map', averagePrecision);
};
