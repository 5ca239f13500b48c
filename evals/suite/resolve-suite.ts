import { loadDataset } from '../datasets/registry.js';
import { createMetric } from '../metrics/registry.js';
import type { EvalDataset, Metric } from '../types.js';
import type { Suite } from './suite-schema.js';

/**
 * The dataset and metrics a suite names, from the registries (evals/datasets/registry.ts,
 * evals/metrics/registry.ts). Unknown names fail here, before anything runs, with the names that exist.
 */
export async function resolveSuite(suite: Suite): Promise<{ readonly dataset: EvalDataset; readonly metrics: readonly Metric[] }> {
  const metrics = suite.metrics.map((entry) => createMetric(entry.name, entry.options));
  const dataset = await loadDataset(suite.dataset.name, suite.dataset.options);
  return { dataset, metrics };
}

/** The suite with command-line overrides applied, so the stored config says what actually ran. */
export function withOverrides(suite: Suite, overrides: { limit?: number; concurrency?: number; repeats?: number }): Suite {
  return {
    ...suite,
    dataset: overrides.limit === undefined ? suite.dataset : { ...suite.dataset, options: { ...suite.dataset.options, limit: overrides.limit } },
    run: {
      ...suite.run,
      ...(overrides.concurrency === undefined ? {} : { concurrency: overrides.concurrency }),
      ...(overrides.repeats === undefined ? {} : { repeats: overrides.repeats }),
    },
  };
}
