import { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import type { DatasetLoader, EvalCase } from '../types.js';
import { countJsonLines, parseRecord, readJsonLines, requireFile } from './dataset-files.js';
import { assertNoSplit, selectCases, selectedSize } from './select-cases.js';

const ToolCall = z.object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) });
const Case = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  input: z.string(),
  category: z.string().optional(),
  context: z.array(z.string()).optional(),
  functions: z
    .array(z.object({ name: z.string().min(1), description: z.string(), parameters: z.record(z.string(), z.unknown()) }))
    .optional(),
  expected: z
    .object({
      answers: z.array(z.string()).optional(),
      label: z.string().optional(),
      relevant: z.record(z.string(), z.number()).optional(),
      toolCalls: z.array(z.object({ name: z.string().min(1), acceptable: z.record(z.string(), z.array(z.unknown())) })).optional(),
      noCall: z.boolean().optional(),
      actions: z.array(ToolCall).optional(),
      outputs: z.array(z.string()).optional(),
      pattern: z.string().optional(),
      jsonSchema: z.record(z.string(), z.unknown()).optional(),
    })
    .strict()
    .default({}),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Your own cases as JSON Lines, one `EvalCase` per line: `{id, input, expected?, category?, context?, functions?,
 * metadata?}` (see evals/types.ts). Cases stream from the file; a malformed line fails with its line number when the
 * run reaches it, and ids must be unique (results are compared and resumed by id).
 */
export const loadJsonl: DatasetLoader = async (options) => {
  assertNoSplit(options, 'jsonl');
  if (options.path === undefined) {
    throw new TrellisError('EVAL_DATASET_NOT_FOUND', 'the jsonl dataset loader needs a path to a .jsonl file', {
      hint: 'Set the suite\'s dataset `path` to a JSON Lines file of {"id", "input", "expected"} records.',
    });
  }
  const file = options.path;
  await requireFile(file);
  const available = options.category === undefined ? await countJsonLines(file) : undefined;
  return { name: 'jsonl', size: selectedSize(available, options), cases: () => selectCases(cases(file), options) };
};

async function* cases(file: string): AsyncGenerator<EvalCase> {
  const seen = new Set<string>();
  for await (const { line, value } of readJsonLines(file)) {
    const evalCase = parseRecord(Case, value, file, line);
    if (seen.has(evalCase.id)) {
      throw new TrellisError('EVAL_DATASET_INVALID', `${file} record ${line}: duplicate case id ${JSON.stringify(evalCase.id)}`, {
        details: { file, record: String(line) },
      });
    }
    seen.add(evalCase.id);
    yield evalCase;
  }
}
