import path from 'node:path';
import { z } from 'zod';
import type { DatasetLoader, EvalCase } from '../types.js';
import { datasetDir, datasetInvalid, parseRecord, readDatasetJson } from './dataset-files.js';
import { assertNoSplit, inCategory, selectCases, selectedSize } from './select-cases.js';

const Paragraph = z.tuple([z.string(), z.array(z.string())]);
const Question = z.object({
  _id: z.string().min(1),
  question: z.string(),
  answer: z.string(),
  type: z.string(),
  level: z.string(),
  supporting_facts: z.array(z.tuple([z.string(), z.number().int()])),
  context: z.array(Paragraph),
});
type Question = z.output<typeof Question>;
const Corpus = z.record(z.string(), z.array(z.string()));

const FOLDER = 'hotpotqa-train-sample100';

/**
 * HotpotQA in its original distractor format (`hotpotqa_train.json`) with the paragraph corpus beside it
 * (`hotpotqa_train_corpus.json`, title → sentences). A case's `context` is its ten paragraphs as `Title: text`;
 * `expected.relevant` holds the titles of its supporting paragraphs (corpus ids are titles, unique in HotpotQA);
 * `category` is `type/level`, e.g. `bridge/medium`.
 */
export const loadHotpotQa: DatasetLoader = async (options) => {
  assertNoSplit(options, 'hotpotqa');
  const dir = datasetDir(options.path, FOLDER);
  const questionsFile = path.join(dir, 'hotpotqa_train.json');
  const corpusFile = path.join(dir, 'hotpotqa_train_corpus.json');
  const questions = await readDatasetJson(questionsFile);
  if (!Array.isArray(questions)) throw datasetInvalid(questionsFile, 'expected a JSON array of questions');
  const cases = questions.map((value, index) => toCase(parseRecord(Question, value, questionsFile, index + 1)));
  const corpus = parseRecord(Corpus, await readDatasetJson(corpusFile), corpusFile, 'corpus');
  const available = cases.filter((evalCase) => inCategory(evalCase, options.category)).length;
  return {
    name: 'hotpotqa',
    size: selectedSize(available, options),
    cases: () => selectCases(cases, options),
    corpus: async function* paragraphs() {
      for (const [title, sentences] of Object.entries(corpus)) yield { id: title, title, text: sentences.join('') };
    },
  };
};

function toCase(question: Question): EvalCase {
  const supporting = new Set(question.supporting_facts.map(([title]) => title));
  return {
    id: question._id,
    input: question.question,
    category: `${question.type}/${question.level}`,
    // HotpotQA sentences carry their own leading spaces, so joining them with '' restores the paragraph.
    context: question.context.map(([title, sentences]) => `${title}: ${sentences.join('')}`),
    expected: { answers: [question.answer], relevant: Object.fromEntries([...supporting].map((title) => [title, 1])) },
    metadata: { supportingFacts: question.supporting_facts },
  };
}
