import { TrellisError } from '../../core/errors.js';
import type { DatasetLoader, DatasetOptions, EvalCase, EvalDataset } from '../types.js';
import { loadBeirDataset } from './beir.js';
import { loadCisi, loadCranfield } from './classic.js';
import { datasetDir } from './dataset-files.js';
import type { RetrievalDataset } from './retrieval-dataset.js';
import { assertNoSplit, selectCases, selectedSize } from './select-cases.js';

/**
 * A retrieval collection as an eval dataset: one case per judged query, its judgments as `expected.relevant`, and
 * the corpus for the target to index first. Retrieval collections have no categories, so `category` selects none.
 */
export function retrievalEvalDataset(dataset: RetrievalDataset, options: DatasetOptions): EvalDataset {
  const available = options.category === undefined ? dataset.queries.length : 0;
  return {
    name: dataset.name,
    size: selectedSize(available, options),
    cases: () => selectCases(queryCases(dataset), options),
    corpus: async function* corpus() {
      yield* dataset.corpus;
    },
  };
}

async function* queryCases(dataset: RetrievalDataset): AsyncGenerator<EvalCase> {
  for (const query of dataset.queries) {
    const judgments = dataset.qrels.get(query.id) ?? new Map<string, number>();
    yield { id: query.id, input: query.text, expected: { relevant: Object.fromEntries(judgments) } };
  }
}

/** BEIR layout; there is no shared copy, so the suite must give `path`. `split` picks `qrels/<split>.tsv`. */
export const loadBeir: DatasetLoader = async (options) => {
  if (options.path === undefined) {
    throw new TrellisError('EVAL_DATASET_NOT_FOUND', 'the beir dataset loader needs a path to a BEIR folder', {
      hint: 'Set the suite\'s dataset `path` to a folder holding corpus.jsonl, queries.jsonl and qrels/<split>.tsv.',
    });
  }
  return retrievalEvalDataset(await loadBeirDataset({ dir: datasetDir(options.path, ''), split: options.split }), options);
};

/** Cranfield in its SMART files, from `../shared/datasets/cranfield` by default. */
export const loadCranfieldCases: DatasetLoader = async (options) => {
  assertNoSplit(options, 'cranfield');
  return retrievalEvalDataset(await loadCranfield({ dir: datasetDir(options.path, 'cranfield') }), options);
};

/** CISI in its SMART files, from `../shared/datasets/cisi` by default. */
export const loadCisiCases: DatasetLoader = async (options) => {
  assertNoSplit(options, 'cisi');
  return retrievalEvalDataset(await loadCisi({ dir: datasetDir(options.path, 'cisi') }), options);
};
