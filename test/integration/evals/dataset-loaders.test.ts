import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATASET_LOADERS, loadDataset } from '../../../evals/datasets/registry.js';
import type { EvalCase, EvalDataset } from '../../../evals/types.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

async function collect(dataset: EvalDataset): Promise<EvalCase[]> {
  const cases: EvalCase[] = [];
  for await (const evalCase of dataset.cases()) cases.push(evalCase);
  return cases;
}

function countBy(cases: readonly EvalCase[], key: (evalCase: EvalCase) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const evalCase of cases) counts[key(evalCase)] = (counts[key(evalCase)] ?? 0) + 1;
  return counts;
}

// Counts are those of each dataset's PROVENANCE.md in ../shared/datasets.
describe('dataset loaders on the shared copies', () => {
  it('cranfield and cisi: judged queries as cases with their judgments, and the corpus', async () => {
    const cranfield = await loadDataset('cranfield');
    expect(cranfield.size).toBe(225);
    const first = (await collect(cranfield))[0]!;
    expect(first).toMatchObject({ id: '1', input: expect.stringContaining('similarity laws'), expected: { relevant: expect.objectContaining({ '184': 3 }) } });
    let documents = 0;
    for await (const document of cranfield.corpus!()) documents += document.text === undefined ? 0 : 1;
    expect(documents).toBe(1400);
    expect((await loadDataset('cisi', { limit: 5 })).size).toBe(5);
  });

  it('hotpotqa: 100 questions, bridge 78 / comparison 22, easy 16 / medium 69 / hard 15, 994 paragraphs', async () => {
    const dataset = await loadDataset('hotpotqa');
    const cases = await collect(dataset);
    expect(cases).toHaveLength(100);
    expect(countBy(cases, (evalCase) => evalCase.category!.split('/')[0]!)).toEqual({ bridge: 78, comparison: 22 });
    expect(countBy(cases, (evalCase) => evalCase.category!.split('/')[1]!)).toEqual({ easy: 16, medium: 69, hard: 15 });
    expect(cases[0]).toMatchObject({
      id: '5a77ec115542992a6e59dff7',
      input: 'If Gallu is a demon Lilu is what?',
      category: 'bridge/easy',
      expected: { answers: ['a spirit'], relevant: { 'Alû': 1, 'Lilu (mythology)': 1 } },
    });
    expect(cases[0]!.context).toHaveLength(10);
    expect(cases[0]!.context![0]).toMatch(/^Demon Dice: Demon Dice, originally published as Chaos Progenitus/);
    expect(cases.filter((evalCase) => evalCase.context!.length === 4)).toHaveLength(1);
    let paragraphs = 0;
    for await (const paragraph of dataset.corpus!()) if (paragraph.id === paragraph.title) paragraphs += 1;
    expect(paragraphs).toBe(994);
    expect((await loadDataset('hotpotqa', { category: 'bridge' })).size).toBe(78);
  });

  it('pubmedqa: 500 items, yes 276 / no 169 / maybe 55, the abstract as context', async () => {
    const cases = await collect(await loadDataset('pubmedqa'));
    expect(cases).toHaveLength(500);
    expect(countBy(cases, (evalCase) => evalCase.expected.label!)).toEqual({ yes: 276, no: 169, maybe: 55 });
    expect(cases[0]).toMatchObject({
      id: '1571683',
      input: 'Storage of vaccines in the community: weak link in the cold chain?',
      category: 'maybe',
      expected: { label: 'maybe', answers: [expect.any(String)] },
    });
    expect(cases[0]!.context![0]).toBe('To assess quality of storage of vaccines in the community.');
  });

  it('nq-open: 3610 questions streamed, with every gold answer', async () => {
    const dataset = await loadDataset('nq-open');
    expect(dataset.size).toBe(3610);
    const cases = await collect(dataset);
    expect(cases).toHaveLength(3610);
    expect(cases[0]).toEqual({ id: 'nq-open-1', input: 'when was the last time anyone was on the moon', expected: { answers: ['14 December 1972 UTC', 'December 1972'] } });
    expect(new Set(cases.map((evalCase) => evalCase.id)).size).toBe(3610);
  });

  it('rgb: 100 questions, each as a noise-robustness and a counterfactual case', async () => {
    const dataset = await loadDataset('rgb');
    const cases = await collect(dataset);
    expect(dataset.size).toBe(200);
    expect(countBy(cases, (evalCase) => evalCase.category!)).toEqual({ 'noise-robustness': 100, counterfactual: 100 });
    const [noise, counterfactual] = cases;
    expect(noise).toMatchObject({ id: '0:noise-robustness', input: 'Super Bowl 2021 location', expected: { answers: ['Tampa, Florida'] } });
    // 3 true passages and 2 noise passages (RGB: 5 passages at noise rate 0.4).
    expect(noise!.context).toHaveLength(5);
    expect(noise!.context!.filter((passage) => passage.includes('Tampa, Florida'))).toHaveLength(3);
    expect(counterfactual).toMatchObject({ id: '0:counterfactual', expected: { pattern: 'factual errors?' }, metadata: { fakeAnswer: 'Glendale, Arizona' } });
    expect(counterfactual!.context!.every((passage) => !passage.includes('Tampa, Florida'))).toBe(true);
    // Answers written as groups of spellings become the list of accepted answers.
    expect(cases.find((evalCase) => evalCase.expected.answers!.includes('July 21 2017'))!.expected.answers).toHaveLength(8);
    expect((await loadDataset('rgb', { category: 'counterfactual' })).size).toBe(100);
  });

  it('bfcl: 1150 cases with gold calls and 240 irrelevance cases, per category', async () => {
    const dataset = await loadDataset('bfcl');
    expect(dataset.size).toBe(1390);
    const cases = await collect(dataset);
    expect(countBy(cases, (evalCase) => evalCase.category!)).toEqual({
      simple: 400, java: 100, javascript: 50, multiple: 200, parallel: 200, parallel_multiple: 200, irrelevance: 240,
    });
    expect(cases.filter((evalCase) => evalCase.expected.noCall)).toHaveLength(240);
    expect(cases[1]).toMatchObject({
      id: 'simple_python_1',
      input: 'Calculate the factorial of 5 using math functions.',
      functions: [{ name: 'math_factorial', parameters: { type: 'object', properties: { number: { type: 'integer' } }, required: ['number'] } }],
      expected: { toolCalls: [{ name: 'math_factorial', acceptable: { number: [5] } }] },
      metadata: { language: 'python' },
    });
    const java = cases.find((evalCase) => evalCase.category === 'java')!;
    expect(java.functions![0]!.parameters).toMatchObject({ properties: { controller: { type: 'string', description: expect.stringContaining('Java any type') } } });
    const parallel = await collect(await loadDataset('bfcl', { category: 'parallel', limit: 3 }));
    expect(parallel.map((evalCase) => evalCase.id)).toEqual(['parallel_0', 'parallel_1', 'parallel_2']);
  });

  it('tau2-retail: 74 tasks with gold actions, outputs and the user scenario', async () => {
    const dataset = await loadDataset('tau2-retail');
    const cases = await collect(dataset);
    expect(cases).toHaveLength(74);
    expect(cases[0]).toMatchObject({
      id: '0',
      category: 'exchange_delivered_order_items',
      expected: { actions: expect.arrayContaining([{ name: 'find_user_id_by_name_zip', arguments: { first_name: 'Yusuf', last_name: 'Rossi', zip: '19122' } }]), outputs: [] },
      metadata: { userScenario: { instructions: { known_info: 'You are Yusuf Rossi in zip code 19122.' } } },
    });
    expect(cases.reduce((total, evalCase) => total + evalCase.expected.actions!.length, 0)).toBe(365);
    expect(cases.filter((evalCase) => evalCase.expected.outputs!.length > 0)).toHaveLength(25);
    const environment = dataset.environment!(cases[0]!);
    expect(environment.policy).toContain('# Retail agent policy');
    const db = environment.snapshot() as { products: object; users: object; orders: object };
    expect([Object.keys(db.products).length, Object.keys(db.users).length, Object.keys(db.orders).length]).toEqual([50, 500, 1000]);
  });
});

describe('dataset loader failures', () => {
  const temp = makeTempDir('trellis-eval-datasets-');
  afterAll(() => temp.remove());

  it('names the missing file with EVAL_DATASET_NOT_FOUND, for every loader with a default folder', async () => {
    const missing = path.join(temp.dir, 'nowhere');
    for (const name of Object.keys(DATASET_LOADERS)) {
      await expect(loadDataset(name, { path: missing })).rejects.toMatchObject({ code: 'EVAL_DATASET_NOT_FOUND', message: expect.stringContaining('nowhere') });
    }
  });

  it('names the file and record of a broken record with EVAL_DATASET_INVALID', async () => {
    const broken = path.join(temp.dir, 'rgb.jsonl');
    writeFileSync(broken, '{"id": 0, "query": "q", "answer": "a", "fakeanswer": "b", "positive": [], "positive_wrong": [], "negative": []}\n{"id": 1, "query": "q"\n');
    const dataset = await loadDataset('rgb', { path: broken });
    await expect(collect(dataset)).rejects.toMatchObject({ code: 'EVAL_DATASET_INVALID', details: { file: broken, record: '2' } });

    const folder = path.join(temp.dir, 'pubmedqa');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'pqal_nontest500.json'), JSON.stringify({ 123: { QUESTION: 'q', CONTEXTS: ['c'], final_decision: 'perhaps', LONG_ANSWER: 'l' } }));
    await expect(loadDataset('pubmedqa', { path: folder })).rejects.toMatchObject({
      code: 'EVAL_DATASET_INVALID',
      message: expect.stringContaining('final_decision'),
      details: { record: '123' },
    });
  });

  it('refuses an unknown dataset, an unknown BFCL category and a split where there is none', async () => {
    await expect(loadDataset('squad2')).rejects.toMatchObject({ code: 'EVAL_DATASET_UNKNOWN', details: { known: expect.arrayContaining(['bfcl', 'jsonl']) } });
    await expect(loadDataset('bfcl', { category: 'live_simple' })).rejects.toMatchObject({ code: 'EVAL_DATASET_INVALID' });
    await expect(loadDataset('nq-open', { split: 'test' })).rejects.toMatchObject({ code: 'EVAL_DATASET_INVALID' });
  });

  it('jsonl: streams your own cases, validates each line and refuses duplicate ids', async () => {
    const file = path.join(temp.dir, 'cases.jsonl');
    writeFileSync(file, [
      JSON.stringify({ id: 'a', input: 'What is 2+2?', expected: { answers: ['4'] }, category: 'math' }),
      '',
      JSON.stringify({ id: 7, input: 'Capital of France?', expected: { answers: ['Paris'] } }),
    ].join('\n'));
    const dataset = await loadDataset('jsonl', { path: file });
    expect(dataset.size).toBe(2);
    expect(await collect(dataset)).toEqual([
      { id: 'a', input: 'What is 2+2?', expected: { answers: ['4'] }, category: 'math' },
      { id: '7', input: 'Capital of France?', expected: { answers: ['Paris'] } },
    ]);
    writeFileSync(file, `${JSON.stringify({ id: 'a', input: 'x' })}\n${JSON.stringify({ id: 'a', input: 'y' })}\n`);
    await expect(collect(await loadDataset('jsonl', { path: file }))).rejects.toMatchObject({ code: 'EVAL_DATASET_INVALID', details: { record: '2' } });
    writeFileSync(file, `${JSON.stringify({ id: 'b', input: 'x', expected: { answer: 'typo' } })}\n`);
    await expect(collect(await loadDataset('jsonl', { path: file }))).rejects.toMatchObject({ code: 'EVAL_DATASET_INVALID' });
  });
});
