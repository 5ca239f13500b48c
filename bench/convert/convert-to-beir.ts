import { readFile } from 'node:fs/promises';
import { TrellisError, toTrellisError } from '../../core/errors.js';
import { writeBeirCollection, type BeirWriteSummary } from './beir-collection.js';
import { convertHotpotQa } from './hotpotqa.js';

/** Dataset formats `bench:convert` reads. */
export const CONVERT_FORMATS = ['hotpotqa'] as const;

/** What was written, plus the supporting facts that had no paragraph to point at. */
export interface ConvertSummary extends BeirWriteSummary {
  readonly unmatchedSupportingFacts: number;
}

/** Converts `file` (in `format`) and writes its BEIR collection to `outDir`; throws `EVAL_DATASET_INVALID`. */
export async function convertToBeir(format: string, file: string, outDir: string): Promise<ConvertSummary> {
  if (!(CONVERT_FORMATS as readonly string[]).includes(format)) {
    throw new TrellisError('EVAL_DATASET_INVALID', `unknown dataset format ${format}; known: ${CONVERT_FORMATS.join(', ')}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw toTrellisError(error, 'EVAL_DATASET_INVALID', `cannot read ${file} as JSON`);
  }
  const collection = convertHotpotQa(json);
  const summary = await writeBeirCollection(outDir, collection);
  return { ...summary, unmatchedSupportingFacts: collection.unmatchedSupportingFacts.length };
}
