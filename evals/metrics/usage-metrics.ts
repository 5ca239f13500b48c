import { z } from 'zod';
import type { Metric, MetricFactory, MetricScore, TargetOutput } from '../types.js';
import { parseMetricOptions } from './metric-options.js';

const NoOptions = z.object({}).strict();

/** A raw per-case figure where lower is better (not in [0, 1]); null when the target did not report it. */
function usageMetric(name: string, read: (output: TargetOutput) => number | undefined): MetricFactory {
  return (options) => {
    parseMetricOptions(name, NoOptions, options);
    const metric: Metric = {
      name,
      version: '1',
      higherIsBetter: false,
      score: (_evalCase, output): MetricScore[] => [{ metric: name, value: read(output) ?? null }],
    };
    return metric;
  };
}

/** `latency_ms`: wall time of the case in milliseconds. */
export const latencyMetric = usageMetric('latency_ms', (output) => output.latencyMs);

/** `input_tokens`, `output_tokens`, `total_tokens`: model tokens the case used. */
export const inputTokensMetric = usageMetric('input_tokens', (output) => output.inputTokens);
export const outputTokensMetric = usageMetric('output_tokens', (output) => output.outputTokens);
export const totalTokensMetric = usageMetric('total_tokens', (output) =>
  output.inputTokens === undefined && output.outputTokens === undefined ? undefined : (output.inputTokens ?? 0) + (output.outputTokens ?? 0),
);

const CostOptions = z
  .object({
    inputUsdPerMillion: z.number().nonnegative().optional(),
    outputUsdPerMillion: z.number().nonnegative().optional(),
  })
  .strict();

/**
 * `cost_usd`: what the case cost, as the target reported it, else priced from its tokens with the suite's
 * `inputUsdPerMillion` / `outputUsdPerMillion` options; null when neither is known.
 */
export const costMetric: MetricFactory = (options) => {
  const prices = parseMetricOptions('cost_usd', CostOptions, options);
  const priced = prices.inputUsdPerMillion !== undefined || prices.outputUsdPerMillion !== undefined;
  return {
    name: 'cost_usd',
    version: '1',
    higherIsBetter: false,
    score(_evalCase, output): MetricScore[] {
      if (output.costUsd !== undefined) return [{ metric: 'cost_usd', value: output.costUsd, details: { source: 'target' } }];
      if (!priced || (output.inputTokens === undefined && output.outputTokens === undefined)) return [{ metric: 'cost_usd', value: null }];
      const cost = ((output.inputTokens ?? 0) * (prices.inputUsdPerMillion ?? 0) + (output.outputTokens ?? 0) * (prices.outputUsdPerMillion ?? 0)) / 1e6;
      return [{ metric: 'cost_usd', value: cost, details: { source: 'token prices' } }];
    },
  };
};
