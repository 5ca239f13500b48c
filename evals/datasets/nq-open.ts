import { z } from 'zod';
import type { DatasetLoader, EvalCase } from '../types.js';
import { countJsonLines, datasetFile, parseRecord, readJsonLines, requireFile } from './dataset-files.js';
import { assertNoSplit, selectCases, selectedSize } from './select-cases.js';

const Question = z.object({ question: z.string().min(1), answer: z.array(z.string()).min(1) });

/**
 * NQ-open (`NQ-open.dev.jsonl`, lines `{question, answer: [...]}`): open-domain questions whose short answers,
 * any one of which counts, are `expected.answers`. The file has no ids, so a case's id is its line number, stable
 * for a given file. No categories.
 */
export const loadNqOpen: DatasetLoader = async (options) => {
  assertNoSplit(options, 'nq-open');
  const file = datasetFile(options.path, 'nq-open-dev', 'NQ-open.dev.jsonl');
  await requireFile(file);
  const available = options.category === undefined ? await countJsonLines(file) : 0;
  return { name: 'nq-open', size: selectedSize(available, options), cases: () => selectCases(questions(file), options) };
};

async function* questions(file: string): AsyncGenerator<EvalCase> {
  for await (const { line, value } of readJsonLines(file)) {
    const record = parseRecord(Question, value, file, line);
    yield { id: `nq-open-${line}`, input: record.question, expected: { answers: record.answer } };
  }
}
