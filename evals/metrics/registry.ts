import { TrellisError } from '../../core/errors.js';
import type { Metric, MetricFactory } from '../types.js';
import { containsMetric, exactMatchMetric, f1Metric } from './answer-metrics.js';
import { answerRelevanceMetric, contextPrecisionMetric, contextRecallMetric, faithfulnessMetric } from './judge-metrics.js';
import { labelAccuracyMetric } from './label-accuracy.js';
import { jsonSchemaMetric, regexMetric } from './pattern-metrics.js';
import { mapMetric, mrrMetric, ndcgMetric, recallMetric } from './retrieval-metrics.js';
import { tau2ActionsMetric, tau2DatabaseMetric, tau2OutputsMetric, tau2RewardMetric } from './tau2-metrics.js';
import { bfclAstMetric, irrelevanceMetric } from './tool-call-metrics.js';
import { costMetric, inputTokensMetric, latencyMetric, outputTokensMetric, totalTokensMetric } from './usage-metrics.js';

/**
 * Every metric a suite can name. `ndcg`, `recall` and `mrr` take their cut-off from the name (`ndcg@10` is
 * `ndcg` with `{k: 10}`); other options come from the suite file.
 */
export const METRIC_FACTORIES: Readonly<Record<string, MetricFactory>> = {
  ndcg: ndcgMetric,
  recall: recallMetric,
  mrr: mrrMetric,
  map: mapMetric,
  exact_match: exactMatchMetric,
  f1: f1Metric,
  contains: containsMetric,
  regex: regexMetric,
  json_schema: jsonSchemaMetric,
  label_accuracy: labelAccuracyMetric,
  yes_no_maybe: labelAccuracyMetric,
  bfcl_ast: bfclAstMetric,
  irrelevance: irrelevanceMetric,
  tau2_db: tau2DatabaseMetric,
  tau2_actions: tau2ActionsMetric,
  tau2_outputs: tau2OutputsMetric,
  tau2_reward: tau2RewardMetric,
  faithfulness: faithfulnessMetric,
  answer_relevance: answerRelevanceMetric,
  context_precision: contextPrecisionMetric,
  context_recall: contextRecallMetric,
  latency_ms: latencyMetric,
  input_tokens: inputTokensMetric,
  output_tokens: outputTokensMetric,
  total_tokens: totalTokensMetric,
  cost_usd: costMetric,
};

const AT_K = /^([a-z_]+)@(\d+)$/;

/**
 * Builds the metric a suite names: `exact_match`, or `ndcg@10` (name@k for the cut-off metrics). Unknown names
 * fail with EVAL_METRIC_UNKNOWN listing the known ones; bad options with EVAL_METRIC_OPTIONS_INVALID.
 */
export function createMetric(name: string, options: Readonly<Record<string, unknown>> = {}): Metric {
  const cut = AT_K.exec(name);
  const base = cut ? cut[1]! : name;
  const factory = Object.hasOwn(METRIC_FACTORIES, base) ? METRIC_FACTORIES[base] : undefined;
  if (!factory || (cut && !['ndcg', 'recall', 'mrr'].includes(base))) {
    const known = Object.keys(METRIC_FACTORIES);
    throw new TrellisError('EVAL_METRIC_UNKNOWN', `no metric named ${JSON.stringify(name)}; metrics: ${known.join(', ')} (ndcg, recall and mrr as name@k)`, {
      details: { name, known },
    });
  }
  return factory(cut ? { ...options, k: Number(cut[2]) } : options);
}
