import { describe, expect, it } from 'vitest';
import { selectMmr } from '../../../../rag/retrieve/mmr.js';

describe('selectMmr', () => {
  const candidates = [
    { chunkId: 'near-1', embedding: [1, 0.1, 0] },
    { chunkId: 'near-2', embedding: [1, 0.12, 0] }, // a near-duplicate of near-1
    { chunkId: 'other', embedding: [0.6, 0, 0.8] },
  ];

  it('ranks by relevance alone with lambda 1', () => {
    const picked = selectMmr({ queryEmbedding: [1, 0, 0], candidates, topK: 3, lambda: 1 });
    expect(picked.map((hit) => hit.chunkId)).toEqual(['near-1', 'near-2', 'other']);
  });

  it('prefers a different chunk over a near-duplicate with lambda 0.5', () => {
    const picked = selectMmr({ queryEmbedding: [1, 0, 0], candidates, topK: 2 });
    expect(picked.map((hit) => hit.chunkId)).toEqual(['near-1', 'other']);
    expect(picked[0]!.redundancy).toBe(0);
    expect(picked[1]!.relevance).toBeCloseTo(0.6, 6);
    expect(picked[1]!.score).toBeCloseTo(0.5 * 0.6 - 0.5 * picked[1]!.redundancy, 12);
  });

  it('stops at topK and at the candidates available', () => {
    expect(selectMmr({ queryEmbedding: [1, 0, 0], candidates, topK: 10 })).toHaveLength(3);
    expect(selectMmr({ queryEmbedding: [1, 0, 0], candidates: [], topK: 3 })).toEqual([]);
  });
});
