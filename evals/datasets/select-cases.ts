import { TrellisError } from '../../core/errors.js';
import type { DatasetOptions, EvalCase } from '../types.js';

/**
 * True when the case is in the asked category. Categories may be paths (`bridge/hard`), so `bridge` selects every
 * `bridge/…` case too.
 */
export function inCategory(evalCase: EvalCase, category: string | undefined): boolean {
  if (category === undefined) return true;
  const own = evalCase.category ?? '';
  return own === category || own.startsWith(`${category}/`);
}

/** Applies a suite's `category` and `limit` to a stream of cases. */
export async function* selectCases(cases: AsyncIterable<EvalCase> | Iterable<EvalCase>, options: DatasetOptions): AsyncGenerator<EvalCase> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  let kept = 0;
  for await (const evalCase of cases) {
    if (!inCategory(evalCase, options.category)) continue;
    yield evalCase;
    kept += 1;
    if (kept >= limit) return;
  }
}

/** The number of cases `selectCases` keeps out of `available` (already category-filtered), when known. */
export function selectedSize(available: number | undefined, options: DatasetOptions): number | undefined {
  if (available === undefined) return options.limit;
  return options.limit === undefined ? available : Math.min(available, Math.max(0, options.limit));
}

/** Datasets with a single split refuse a `split` option instead of silently ignoring it. */
export function assertNoSplit(options: DatasetOptions, dataset: string): void {
  if (options.split === undefined) return;
  throw new TrellisError('EVAL_DATASET_INVALID', `dataset ${dataset} has no splits, but the suite asks for split ${JSON.stringify(options.split)}`, {
    hint: `Remove \`split\` from the suite; only beir datasets have splits (qrels/<split>.tsv).`,
    details: { dataset, split: options.split },
  });
}
