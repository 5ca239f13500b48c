import { z } from 'zod';
import type { DatasetLoader, EvalCase } from '../types.js';
import { datasetFile, datasetInvalid, parseRecord, readDatasetJson } from './dataset-files.js';
import { assertNoSplit, inCategory, selectCases, selectedSize } from './select-cases.js';

const Item = z.object({
  QUESTION: z.string().min(1),
  CONTEXTS: z.array(z.string()).min(1),
  LABELS: z.array(z.string()).optional(),
  final_decision: z.enum(['yes', 'no', 'maybe']),
  LONG_ANSWER: z.string(),
  YEAR: z.string().nullable().optional(),
  MESHES: z.array(z.string()).optional(),
});
type Item = z.output<typeof Item>;

/**
 * PubMedQA PQA-L (`pqal_nontest500.json`: PubMed id → item). A case answers the question from the abstract given
 * as `context` (without its conclusion); `expected.label` is yes / no / maybe and is also the `category`, and the
 * abstract's conclusion (the long answer) is `expected.answers`.
 */
export const loadPubMedQa: DatasetLoader = async (options) => {
  assertNoSplit(options, 'pubmedqa');
  const file = datasetFile(options.path, 'pubmedqa-pqal-nontest500', 'pqal_nontest500.json');
  const items = await readDatasetJson(file);
  if (typeof items !== 'object' || items === null || Array.isArray(items)) {
    throw datasetInvalid(file, 'expected a JSON object of PubMed id → item');
  }
  const cases = Object.entries(items).map(([pubmedId, value]) => toCase(pubmedId, parseRecord(Item, value, file, pubmedId)));
  const available = cases.filter((evalCase) => inCategory(evalCase, options.category)).length;
  return { name: 'pubmedqa', size: selectedSize(available, options), cases: () => selectCases(cases, options) };
};

function toCase(pubmedId: string, item: Item): EvalCase {
  return {
    id: pubmedId,
    input: item.QUESTION,
    category: item.final_decision,
    context: item.CONTEXTS,
    expected: { label: item.final_decision, answers: [item.LONG_ANSWER] },
    metadata: { sections: item.LABELS ?? [], year: item.YEAR ?? null, meshes: item.MESHES ?? [] },
  };
}
