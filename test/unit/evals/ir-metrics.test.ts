import { describe, expect, it } from 'vitest';
import { averagePrecision, evaluateRun, mrrAtK, ndcgAtK, recallAtK } from '../../../evals/metrics/ir.js';

// Hand-computed fixture: relevant d2 (grade 2) at rank 2, d4 (grade 1) at rank 4; d9 (grade 3) never retrieved;
// d5 is judged not relevant.
const ranking = ['d1', 'd2', 'd3', 'd4'];
const judgments = new Map([['d2', 2], ['d4', 1], ['d9', 3], ['d5', 0]]);

describe('IR metrics (trec_eval definitions)', () => {
  it('nDCG@k uses the grade as gain and a log2 discount against the ideal ordering of all judged documents', () => {
    // DCG@3 = 2/log2(3) = 1.26186; IDCG@3 = 3/1 + 2/log2(3) + 1/log2(4) = 4.76186.
    expect(ndcgAtK(ranking, judgments, 3)).toBeCloseTo(1.2618595 / 4.7618595, 6);
    // DCG@4 adds 1/log2(5) = 0.43068; IDCG@4 is unchanged (only three relevant documents).
    expect(ndcgAtK(ranking, judgments, 4)).toBeCloseTo((1.2618595 + 0.4306766) / 4.7618595, 6);
    expect(ndcgAtK(['d9', 'd2', 'd4'], judgments, 3)).toBeCloseTo(1, 12);
  });

  it('recall@k counts relevant documents found in the top k', () => {
    expect(recallAtK(ranking, judgments, 3)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(ranking, judgments, 100)).toBeCloseTo(2 / 3, 12);
  });

  it('MRR@k is the reciprocal rank of the first relevant document within k', () => {
    expect(mrrAtK(ranking, judgments, 1)).toBe(0);
    expect(mrrAtK(ranking, judgments, 10)).toBe(0.5);
  });

  it('average precision divides by every relevant document, found or not', () => {
    // (1/2 + 2/4) / 3
    expect(averagePrecision(ranking, judgments)).toBeCloseTo(1 / 3, 12);
  });

  it('gives 0 for a query without relevant documents, and evaluateRun skips such queries', () => {
    const none = new Map([['d1', 0]]);
    expect(ndcgAtK(ranking, none, 10)).toBe(0);
    expect(averagePrecision(ranking, none)).toBe(0);
    const metrics = evaluateRun(
      new Map([['q1', ranking], ['q2', ['d1']]]),
      new Map([['q1', judgments], ['q2', none], ['q3', new Map([['d7', 1]])]]),
    );
    expect(metrics.queries).toBe(2); // q1, and q3 (judged but not run, so it scores 0)
    expect(metrics['recall@100']).toBeCloseTo((2 / 3 + 0) / 2, 12);
    // d2 sits at rank 2 and d4 at rank 4: one of three relevant by rank 2, two by rank 5 and 10.
    expect(metrics['recall@2']).toBeCloseTo((1 / 3 + 0) / 2, 12);
    expect(metrics['recall@5']).toBeCloseTo((2 / 3 + 0) / 2, 12);
    expect(metrics['recall@10']).toBeCloseTo((2 / 3 + 0) / 2, 12);
    expect(metrics['mrr@10']).toBeCloseTo(0.25, 12);
  });
});
