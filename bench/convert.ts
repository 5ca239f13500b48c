/**
 * Converts a public QA dataset into the BEIR layout that `bench:retrieval --beir <dir>` reads.
 *
 *   npm run bench:convert -- hotpotqa <hotpotqa.json> <out-dir>
 *
 * Prints one JSON line: the counts written (and how many supporting facts had no paragraph to point at).
 */
import { toTrellisError } from '../core/errors.js';
import { CONVERT_FORMATS, convertToBeir } from './convert/convert-to-beir.js';
import { printLine } from './lib/stats.js';

const [format, file, outDir] = process.argv.slice(2);
if (!format || !file || !outDir) {
  process.stderr.write(`usage: npm run bench:convert -- <${CONVERT_FORMATS.join('|')}> <file> <out-dir>\n`);
  process.exit(2);
}
try {
  printLine({ format, file, ...(await convertToBeir(format, file, outDir)) });
} catch (error) {
  const failure = toTrellisError(error, 'EVAL_DATASET_INVALID');
  process.stderr.write(`${failure.code}: ${failure.message}\n${failure.hint}\n`);
  process.exit(1);
}
