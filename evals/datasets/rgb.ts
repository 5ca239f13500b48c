import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DatasetLoader, EvalCase } from '../types.js';
import { countJsonLines, datasetFile, parseRecord, readJsonLines, requireFile } from './dataset-files.js';
import { assertNoSplit, selectCases, selectedSize } from './select-cases.js';

// RGB writes an answer as a string, or as groups of equivalent spellings ([["Jul 21, 2017", "July 21 2017"]]).
// Every en_fact answer has one group; several groups would mean several facts, all required, which
// `expected.answers` (any one matches) cannot say, so such records are refused.
const Answer = z.union([z.string(), z.tuple([z.array(z.string()).min(1)])]);
const Question = z.object({
  id: z.union([z.number(), z.string()]),
  query: z.string().min(1),
  answer: Answer,
  fakeanswer: z.string(),
  positive: z.array(z.string()),
  positive_wrong: z.array(z.string()),
  negative: z.array(z.string()),
});
type Question = z.output<typeof Question>;

/** RGB's default setting: 5 passages; noise robustness at its middle noise rate, 0.4 (2 noise, 3 true passages). */
const PASSAGES = 5;
const NOISE_RATE = 0.4;

/** Both conditions of each question, in this order; `category` selects one. */
export const RGB_CATEGORIES = ['noise-robustness', 'counterfactual'] as const;

/**
 * RGB's English counterfactual set (`en_fact.json`, JSON Lines despite its name), as two cases per question:
 *
 * - `noise-robustness`: true passages mixed with noise passages, chosen as RGB's `processdata` does for 5 passages
 *   at noise rate 0.4 (fewer noise passages when the true ones run out, and the reverse); the answer must contain
 *   the true answer.
 * - `counterfactual`: only passages that state the fake answer (up to 5, as RGB with noise rate 0); the reply should
 *   say the documents contain factual errors (`expected.pattern`, RGB's own check) and give the true answer.
 *
 * RGB shuffles passages with Python's seeded random, which cannot be reproduced here; passages are ordered by a
 * hash of their text instead, so the order is fixed and true passages are not always first.
 */
export const loadRgb: DatasetLoader = async (options) => {
  assertNoSplit(options, 'rgb');
  const file = datasetFile(options.path, 'rgb-en-fact', 'en_fact.json');
  await requireFile(file);
  const questions = await countJsonLines(file);
  const perQuestion = options.category === undefined ? RGB_CATEGORIES.length : Number(RGB_CATEGORIES.some((name) => name === options.category));
  return { name: 'rgb', size: selectedSize(questions * perQuestion, options), cases: () => selectCases(cases(file), options) };
};

async function* cases(file: string): AsyncGenerator<EvalCase> {
  for await (const { line, value } of readJsonLines(file)) {
    const question = parseRecord(Question, value, file, line);
    yield noiseCase(question);
    yield counterfactualCase(question);
  }
}

function noiseCase(question: Question): EvalCase {
  let noise = Math.ceil(PASSAGES * NOISE_RATE);
  let truthful = PASSAGES - noise;
  if (noise > question.negative.length) {
    noise = question.negative.length;
    truthful = PASSAGES - noise;
  } else if (truthful > question.positive.length) {
    truthful = question.positive.length;
    noise = PASSAGES - truthful;
  }
  const passages = [...question.positive.slice(0, truthful), ...question.negative.slice(0, noise)];
  return {
    id: `${question.id}:noise-robustness`,
    input: question.query,
    category: 'noise-robustness',
    context: fixedOrder(passages),
    expected: { answers: answers(question) },
    metadata: { rgbId: question.id, noisePassages: noise, truePassages: truthful },
  };
}

function counterfactualCase(question: Question): EvalCase {
  return {
    id: `${question.id}:counterfactual`,
    input: question.query,
    category: 'counterfactual',
    context: fixedOrder(question.positive_wrong.slice(0, PASSAGES)),
    expected: { answers: answers(question), pattern: 'factual errors?' },
    metadata: { rgbId: question.id, fakeAnswer: question.fakeanswer },
  };
}

function answers(question: Question): string[] {
  return typeof question.answer === 'string' ? [question.answer] : question.answer[0];
}

function fixedOrder(passages: readonly string[]): string[] {
  const key = (passage: string) => createHash('sha1').update(passage).digest('hex');
  return passages.map((passage) => ({ passage, key: key(passage) })).sort((left, right) => left.key.localeCompare(right.key)).map(({ passage }) => passage);
}
