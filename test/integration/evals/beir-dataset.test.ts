import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBeirDataset } from '../../../evals/datasets/beir.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('loadBeirDataset', () => {
  const temp = makeTempDir('trellis-beir-');
  afterAll(() => temp.remove());

  it('reads corpus, queries and the split qrels, keeping only judged queries', async () => {
    const dir = path.join(temp.dir, 'tiny');
    mkdirSync(path.join(dir, 'qrels'), { recursive: true });
    writeFileSync(path.join(dir, 'corpus.jsonl'), '{"_id":"d1","title":"T","text":"one"}\n{"_id":"d2","text":"two"}\n');
    writeFileSync(path.join(dir, 'queries.jsonl'), '{"_id":"q1","text":"first"}\n{"_id":"q2","text":"unjudged"}\n');
    writeFileSync(path.join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td2\t1\nq1\td1\t0\n');
    const dataset = await loadBeirDataset({ dir });
    expect(dataset.name).toBe('tiny');
    expect(dataset.corpus).toEqual([{ id: 'd1', title: 'T', text: 'one' }, { id: 'd2', title: '', text: 'two' }]);
    expect(dataset.queries).toEqual([{ id: 'q1', text: 'first' }]);
    expect(dataset.qrels.get('q1')).toEqual(new Map([['d2', 1], ['d1', 0]]));
  });

  it('names the file and line of a broken record', async () => {
    const dir = path.join(temp.dir, 'broken');
    mkdirSync(path.join(dir, 'qrels'), { recursive: true });
    writeFileSync(path.join(dir, 'corpus.jsonl'), '{"_id":"d1","text":"one"}\n{oops\n');
    writeFileSync(path.join(dir, 'queries.jsonl'), '');
    writeFileSync(path.join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\n');
    await expect(loadBeirDataset({ dir })).rejects.toMatchObject({ code: 'EVAL_DATASET_INVALID', details: { line: 2 } });
  });
});
