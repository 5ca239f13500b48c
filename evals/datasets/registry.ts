import { TrellisError } from '../../core/errors.js';
import type { DatasetLoader, DatasetOptions, EvalDataset } from '../types.js';
import { loadBfcl } from './bfcl.js';
import { loadHotpotQa } from './hotpotqa.js';
import { loadJsonl } from './jsonl.js';
import { loadNqOpen } from './nq-open.js';
import { loadPubMedQa } from './pubmedqa.js';
import { loadBeir, loadCisiCases, loadCranfieldCases } from './retrieval-loaders.js';
import { loadRgb } from './rgb.js';
import { loadTau2Retail } from './tau2-retail.js';

/**
 * Every dataset a suite can name, with where its files are by default (under ../shared/datasets beside the clone;
 * `beir` and `jsonl` always need a `path`).
 */
export const DATASET_LOADERS: Readonly<Record<string, DatasetLoader>> = {
  jsonl: loadJsonl,
  beir: loadBeir,
  cranfield: loadCranfieldCases,
  cisi: loadCisiCases,
  hotpotqa: loadHotpotQa,
  pubmedqa: loadPubMedQa,
  'nq-open': loadNqOpen,
  rgb: loadRgb,
  bfcl: loadBfcl,
  'tau2-retail': loadTau2Retail,
};

/** The loader registered under `name`; EVAL_DATASET_UNKNOWN lists the names that exist. */
export function getDatasetLoader(name: string): DatasetLoader {
  const loader = Object.hasOwn(DATASET_LOADERS, name) ? DATASET_LOADERS[name] : undefined;
  if (loader) return loader;
  const known = Object.keys(DATASET_LOADERS);
  throw new TrellisError('EVAL_DATASET_UNKNOWN', `no dataset named ${JSON.stringify(name)}; datasets: ${known.join(', ')}`, {
    details: { name, known },
  });
}

/** Loads the dataset `name` with a suite's options. */
export async function loadDataset(name: string, options: DatasetOptions = {}): Promise<EvalDataset> {
  return getDatasetLoader(name)(options);
}
