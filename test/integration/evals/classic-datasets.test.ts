import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCisi, loadCranfield } from '../../../evals/datasets/classic.js';
import { parseSmart } from '../../../evals/datasets/smart.js';
import { TrellisError } from '../../../core/errors.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const datasets = path.resolve(repoRoot, '../shared/datasets');

describe('classic collection loaders (counts from each PROVENANCE.md)', () => {
  it('loads Cranfield: 1400 documents, 225 queries numbered by position, graded qrels without the -1 code', async () => {
    const dataset = await loadCranfield({ dir: path.join(datasets, 'cranfield') });
    expect(dataset.corpus).toHaveLength(1400);
    expect(dataset.queries).toHaveLength(225);
    expect(dataset.queries[0]).toEqual({ id: '1', text: expect.stringContaining('similarity laws must be obeyed') });
    expect(dataset.corpus[0]).toMatchObject({ id: '1', title: expect.stringContaining('aerodynamics of a') });
    const judgments = [...dataset.qrels.values()].flatMap((judged) => [...judged.values()]);
    // 1837 lines minus the 225 of code -1; codes 1..4 become gains 4..1.
    expect(judgments).toHaveLength(1837 - 225);
    expect(judgments.filter((gain) => gain === 4)).toHaveLength(128);
    expect(judgments.filter((gain) => gain === 1)).toHaveLength(363);
    expect(dataset.qrels.get('1')?.get('184')).toBe(5 - 2);
  });

  it('loads CISI: 1460 documents, the 76 judged queries, 3114 binary judgments', async () => {
    const dataset = await loadCisi({ dir: path.join(datasets, 'cisi') });
    expect(dataset.corpus).toHaveLength(1460);
    expect(dataset.queries).toHaveLength(76);
    expect([...dataset.qrels.values()].reduce((total, judged) => total + judged.size, 0)).toBe(3114);
    expect(dataset.corpus[0]).toMatchObject({ id: '1', title: '18 Editions of the Dewey Decimal Classifications' });
    expect(dataset.corpus[0]!.text).not.toContain('1004'); // .X citation lines are not text
  });

  it('rejects a SMART field before any .I with EVAL_DATASET_INVALID', () => {
    expect(() => parseSmart('.T\ntitle\n', 'bad.all')).toThrow(expect.objectContaining({ code: 'EVAL_DATASET_INVALID' }));
    expect(() => parseSmart('.I\n', 'x')).toThrow(TrellisError);
  });
});
