import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertHotpotQa } from '../../../bench/convert/hotpotqa.js';
import { convertToBeir } from '../../../bench/convert/convert-to-beir.js';
import { loadBeirDataset } from '../../../evals/datasets/beir.js';
import { sharedDir } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const sampleDir = path.join(sharedDir, 'datasets', 'hotpotqa-train-sample100');
const sampleFile = path.join(sampleDir, 'hotpotqa_train.json');

const item = (id: string, context: [string, string[]][], supporting: [string, number][]) => ({
  _id: id, question: `question ${id}?`, answer: 'yes', type: 'bridge', level: 'easy', supporting_facts: supporting, context,
});

describe('bench:convert hotpotqa on the shared sample', () => {
  const temp = makeTempDir('trellis-convert-');
  afterAll(() => temp.remove());

  it('writes the counts PROVENANCE.md states, and loadBeirDataset reads them back', async () => {
    const summary = await convertToBeir('hotpotqa', sampleFile, path.join(temp.dir, 'first'));
    // PROVENANCE.md: 100 questions, 994 distinct paragraphs; HotpotQA cites exactly two gold paragraphs per question.
    expect(summary).toMatchObject({ corpus: 994, queries: 100, qrels: 200, unmatchedSupportingFacts: 0 });
    const dataset = await loadBeirDataset({ dir: path.join(temp.dir, 'first') });
    expect(dataset.corpus).toHaveLength(994);
    expect(dataset.queries).toHaveLength(100);
    for (const judgments of dataset.qrels.values()) expect(judgments.size).toBe(2);
    const types = (await readFile(path.join(temp.dir, 'first', 'queries.jsonl'), 'utf8'))
      .trim().split('\n').map((line) => (JSON.parse(line) as { metadata: { type: string } }).metadata.type);
    expect(types.filter((type) => type === 'bridge')).toHaveLength(78);
    expect(types.filter((type) => type === 'comparison')).toHaveLength(22);
  });

  it('every qrel names a corpus id, and the corpus is exactly the paragraphs of the published corpus file', async () => {
    const dataset = await loadBeirDataset({ dir: path.join(temp.dir, 'first') });
    const ids = new Set(dataset.corpus.map((document) => document.id));
    expect(ids.size).toBe(dataset.corpus.length);
    for (const judgments of dataset.qrels.values()) for (const id of judgments.keys()) expect(ids).toContain(id);
    const published = JSON.parse(readFileSync(path.join(sampleDir, 'hotpotqa_train_corpus.json'), 'utf8')) as Record<string, string[]>;
    expect(new Map(dataset.corpus.map((document) => [document.title, document.text])))
      .toEqual(new Map(Object.entries(published).map(([title, sentences]) => [title, sentences.join('').trim()])));
  });

  it('converting twice gives byte-identical files', async () => {
    await convertToBeir('hotpotqa', sampleFile, path.join(temp.dir, 'second'));
    for (const file of ['corpus.jsonl', 'queries.jsonl', path.join('qrels', 'test.tsv')]) {
      const first = await readFile(path.join(temp.dir, 'first', file));
      expect(first.length).toBeGreaterThan(0);
      expect((await readFile(path.join(temp.dir, 'second', file))).equals(first)).toBe(true);
    }
  });

  it('rejects an unknown format, a missing file and a file that is not JSON with EVAL_DATASET_INVALID', async () => {
    await expect(convertToBeir('squad', sampleFile, temp.dir)).rejects.toMatchObject({ code: 'EVAL_DATASET_INVALID' });
    await expect(convertToBeir('hotpotqa', path.join(temp.dir, 'absent.json'), temp.dir)).rejects.toMatchObject({ code: 'EVAL_DATASET_INVALID' });
    await expect(convertToBeir('hotpotqa', path.join(sampleDir, 'PROVENANCE.md'), temp.dir)).rejects.toMatchObject({ code: 'EVAL_DATASET_INVALID' });
  });
});

describe('convertHotpotQa', () => {
  it('gives a paragraph shared by two questions one title-based id, stable whatever the question order', () => {
    const shared: [string, string[]] = ['Ed Wood', ['Edward Davis Wood Jr.', ' was a filmmaker.']];
    const first = item('q1', [shared, ['Plan 9', ['A film.']]], [['Ed Wood', 0], ['Plan 9', 0]]);
    const second = item('q2', [['Glen or Glenda', ['Another film.']], shared], [['Ed Wood', 1], ['Ed Wood', 0]]);
    const forward = convertHotpotQa([first, second]);
    const backward = convertHotpotQa([second, first]);
    expect(forward.corpus).toHaveLength(3);
    const edWood = forward.corpus.find((document) => document.title === 'Ed Wood')!;
    expect(edWood).toEqual({ _id: expect.stringMatching(/^ed-wood-[0-9a-f]{8}$/), title: 'Ed Wood', text: 'Edward Davis Wood Jr. was a filmmaker.' });
    expect(backward.corpus.find((document) => document.title === 'Ed Wood')?._id).toBe(edWood._id);
    // Two sentences of one paragraph are one judgment.
    expect(forward.qrels.filter((row) => row.queryId === 'q2')).toEqual([{ queryId: 'q2', corpusId: edWood._id, score: 1 }]);
  });

  it('keeps titles that slug alike apart, and a second text under one title as its own -v2 document', () => {
    const converted = convertHotpotQa([
      item('q1', [['Alû', ['A demon.']], ['Alu', ['A town.']]], [['Alû', 0]]),
      item('q2', [['Alû', ['A demon, revised.']]], [['Alû', 0]]),
    ]);
    const [demon, town, revised] = converted.corpus.map((document) => document._id);
    expect(new Set([demon, town, revised]).size).toBe(3);
    expect(revised).toBe(`${demon}-v2`);
    expect(converted.qrels).toEqual([{ queryId: 'q1', corpusId: demon, score: 1 }, { queryId: 'q2', corpusId: revised, score: 1 }]);
  });

  it('reports a supporting fact whose title is not in the context instead of judging a missing paragraph', () => {
    const converted = convertHotpotQa([item('q1', [['A', ['a.']]], [['A', 0], ['Missing', 2]])]);
    expect(converted.qrels).toEqual([{ queryId: 'q1', corpusId: converted.corpus[0]!._id, score: 1 }]);
    expect(converted.unmatchedSupportingFacts).toEqual([{ queryId: 'q1', title: 'Missing' }]);
  });

  it('rejects malformed items and repeated question ids, naming where', () => {
    expect(() => convertHotpotQa({ data: [] })).toThrow(expect.objectContaining({ code: 'EVAL_DATASET_INVALID' }));
    expect(() => convertHotpotQa([{ _id: 'q1', question: 'x', supporting_facts: [], context: [['T', 'not a list']] }]))
      .toThrow(expect.objectContaining({ code: 'EVAL_DATASET_INVALID', details: { path: '0.context.0.1' } }));
    expect(() => convertHotpotQa([item('q1', [], []), item('q1', [], [])]))
      .toThrow(expect.objectContaining({ code: 'EVAL_DATASET_INVALID', details: { id: 'q1' } }));
  });
});
