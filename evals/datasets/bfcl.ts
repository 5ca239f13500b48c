import path from 'node:path';
import { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import type { DatasetLoader, EvalCase, ExpectedToolCall } from '../types.js';
import { type BfclFunction, type BfclLanguage, modelFunctionName, toFunctionSpec } from './bfcl-function-docs.js';
import { countJsonLines, datasetDir, datasetInvalid, type JsonLine, parseRecord, readJsonLines, requireFile } from './dataset-files.js';
import { assertNoSplit, selectCases, selectedSize } from './select-cases.js';

/** Trellis's BFCL category names → BFCL's file stem and the language of its calls. */
export const BFCL_CATEGORIES = {
  simple: { file: 'simple_python', language: 'python' },
  java: { file: 'simple_java', language: 'java' },
  javascript: { file: 'simple_javascript', language: 'javascript' },
  multiple: { file: 'multiple', language: 'python' },
  parallel: { file: 'parallel', language: 'python' },
  parallel_multiple: { file: 'parallel_multiple', language: 'python' },
  irrelevance: { file: 'irrelevance', language: 'python' },
} as const satisfies Record<string, { file: string; language: BfclLanguage }>;

export type BfclCategory = keyof typeof BFCL_CATEGORIES;

const Parameter: z.ZodType<BfclFunction['parameters']['properties'][string]> = z.lazy(() =>
  z.looseObject({ type: z.string(), description: z.string().optional(), items: Parameter.optional(), properties: z.record(z.string(), Parameter).optional() }),
);
const FunctionDoc = z.object({
  name: z.string().min(1),
  description: z.string(),
  parameters: z.object({ type: z.string(), properties: z.record(z.string(), Parameter), required: z.array(z.string()).optional() }),
});
const Question = z.object({
  id: z.string().min(1),
  question: z.array(z.array(z.object({ role: z.string(), content: z.string() }))).min(1),
  function: z.array(FunctionDoc).min(1),
});
type Question = z.output<typeof Question>;
const PossibleAnswer = z.object({
  id: z.string().min(1),
  ground_truth: z.array(z.record(z.string(), z.record(z.string(), z.array(z.unknown())))).min(1),
});

/**
 * BFCL v4 non-live categories (`BFCL_v4_<file>.json` and `possible_answer/BFCL_v4_<file>.json`, both JSON Lines in
 * the same order). A case offers the category's functions (converted as BFCL does for OpenAI-style models, see
 * bfcl-function-docs.ts), expects the possible-answer calls, or no call for `irrelevance`; `metadata` keeps the
 * original function docs and the call language, which the `bfcl_ast` metric's type rules need.
 */
export const loadBfcl: DatasetLoader = async (options) => {
  assertNoSplit(options, 'bfcl');
  const dir = datasetDir(options.path, 'bfcl-v4-nonlive');
  const categories = selectedCategories(options.category);
  let available = 0;
  for (const category of categories) {
    const { question } = files(dir, category);
    await requireFile(question);
    available += await countJsonLines(question);
  }
  return {
    name: 'bfcl',
    size: selectedSize(available, options),
    cases: () => selectCases(allCases(dir, categories), { ...options, category: undefined }),
  };
};

function selectedCategories(category: string | undefined): BfclCategory[] {
  const names = Object.keys(BFCL_CATEGORIES) as BfclCategory[];
  if (category === undefined) return names;
  if (names.includes(category as BfclCategory)) return [category as BfclCategory];
  throw new TrellisError('EVAL_DATASET_INVALID', `bfcl has no category ${JSON.stringify(category)}`, {
    hint: `Use one of: ${names.join(', ')}.`,
    details: { category, categories: names },
  });
}

function files(dir: string, category: BfclCategory): { question: string; answer: string } {
  const stem = `BFCL_v4_${BFCL_CATEGORIES[category].file}.json`;
  return { question: path.join(dir, stem), answer: path.join(dir, 'possible_answer', stem) };
}

async function* allCases(dir: string, categories: readonly BfclCategory[]): AsyncGenerator<EvalCase> {
  for (const category of categories) yield* categoryCases(dir, category);
}

async function* categoryCases(dir: string, category: BfclCategory): AsyncGenerator<EvalCase> {
  const { question: questionFile, answer: answerFile } = files(dir, category);
  const language = BFCL_CATEGORIES[category].language;
  const answers = category === 'irrelevance' ? undefined : readJsonLines(answerFile);
  try {
    yield* pairedCases(questionFile, answerFile, answers, category, language);
  } finally {
    // Stopping early (a `limit`) must still close the answers file.
    await answers?.return(undefined);
  }
}

async function* pairedCases(
  questionFile: string,
  answerFile: string,
  answers: AsyncGenerator<JsonLine> | undefined,
  category: BfclCategory,
  language: BfclLanguage,
): AsyncGenerator<EvalCase> {
  for await (const { line, value } of readJsonLines(questionFile)) {
    const question = parseRecord(Question, value, questionFile, line);
    if (!answers) {
      yield toCase(question, category, language, { noCall: true });
      continue;
    }
    const next = await answers.next();
    if (next.done) throw datasetInvalid(answerFile, `has no answer for ${question.id} (line ${line} of the questions)`);
    const answer = parseRecord(PossibleAnswer, next.value.value, answerFile, next.value.line);
    if (answer.id !== question.id) throw datasetInvalid(answerFile, `answer ${answer.id} is on the line of question ${question.id}`, next.value.line);
    const toolCalls = answer.ground_truth.map((call): ExpectedToolCall => {
      const [name, acceptable] = Object.entries(call)[0]!;
      return { name: modelFunctionName(name), acceptable };
    });
    yield toCase(question, category, language, { toolCalls });
  }
}

function toCase(question: Question, category: BfclCategory, language: BfclLanguage, expected: EvalCase['expected']): EvalCase {
  const messages = question.question[0]!;
  return {
    id: question.id,
    input: messages.filter((message) => message.role === 'user').map((message) => message.content).join('\n'),
    category,
    functions: question.function.map((doc) => toFunctionSpec(doc, language)),
    expected,
    metadata: { language, messages, bfclFunctions: question.function },
  };
}
