import { describe, expect, it } from 'vitest';
import { createMetric } from '../../../evals/metrics/registry.js';
import type { EvalCase, EvalDataset, MetricContext, TargetOutput } from '../../../evals/types.js';

// A fixture scored by hand from trec_eval's definitions (ndcg_cut, recall, recip_rank, map), decimals to 30 digits.
//
// Query q1 — judgments d1:3, d2:2, d3:0, d4:1, d5:2, so R = 4 relevant documents (d3 is judged not relevant);
// ranking d3, d1, d6, d4, d2 (d6 unjudged, d5 never retrieved).
//   recall@3 = |{d1}| / 4 = 0.25; recall@5 = |{d1, d4, d2}| / 4 = 0.75
//   recip_rank = 1 / 2 (d1 at rank 2)
//   AP = (1/2 + 2/4 + 3/5) / 4 = 1.6 / 4 = 0.4 (precision at ranks 2, 4, 5; the unfound d5 adds 0)
//   DCG@5 = 3/log2(3) + 1/log2(5) + 2/log2(6)
//         = 1.892789260714372311 + 0.430676558073393051 + 0.773705614469083174 = 3.097171433256848536
//   IDCG@5 over the ideal gains 3, 2, 2, 1 = 3/1 + 2/log2(3) + 2/log2(4) + 1/log2(5)
//         = 3 + 1.261859507142914874 + 1 + 0.430676558073393051 = 5.692536065216307925
//   nDCG@5 = 0.544075856134107886
//   DCG@3 = 3/log2(3) = 1.892789260714372311; IDCG@3 = 3 + 1.261859507142914874 + 1 = 5.261859507142914874
//   nDCG@3 = 0.359718699852197167
// Query q2 — its one relevant document is not retrieved: every measure is 0.
// Query q3 — no relevant document: trec_eval leaves it out, so every metric is not applicable (null).
const q1: EvalCase = { id: 'q1', input: 'q1', expected: { relevant: { d1: 3, d2: 2, d3: 0, d4: 1, d5: 2 } } };
const q2: EvalCase = { id: 'q2', input: 'q2', expected: { relevant: { a: 1 } } };
const q3: EvalCase = { id: 'q3', input: 'q3', expected: { relevant: { z: 0 } } };
const ranked = (...ids: string[]): TargetOutput => ({ retrieved: ids.map((id) => ({ id })), latencyMs: 1 });
const context: MetricContext = { dataset: { name: 'fixture', cases: async function* none() {} } satisfies EvalDataset };

async function value(name: string, evalCase: EvalCase, output: TargetOutput): Promise<number | null> {
  const [score] = await createMetric(name).score(evalCase, output, context);
  return score!.value;
}

describe('retrieval metrics against the hand-computed trec_eval fixture', () => {
  const q1Output = ranked('d3', 'd1', 'd6', 'd4', 'd2');
  const expected: Record<string, number> = {
    'ndcg@5': 0.5440758561341079, // 0.544075856134107886 to double precision
    'ndcg@3': 0.3597186998521972, // 0.359718699852197167
    'recall@3': 0.25,
    'recall@5': 0.75,
    mrr: 0.5,
    map: 0.4,
  };

  for (const [name, reference] of Object.entries(expected)) {
    it(`${name} of q1 agrees with the reference to 1e-9`, async () => {
      expect(Math.abs((await value(name, q1, q1Output))! - reference)).toBeLessThan(1e-9);
    });
  }

  it('scores 0 on every measure when the relevant document is not retrieved (q2)', async () => {
    for (const name of Object.keys(expected)) expect(await value(name, q2, ranked('b', 'c'))).toBe(0);
  });

  it('is not applicable (null) to a query without relevant documents (q3), and 0 when nothing was retrieved', async () => {
    for (const name of Object.keys(expected)) expect(await value(name, q3, ranked('z'))).toBeNull();
    expect(await value('ndcg@5', q1, { latencyMs: 1 })).toBe(0);
  });

  it('counts a document retrieved twice once, at its first rank', async () => {
    // d1 at rank 1 and again at 2: as the ranking d1, d2 → recall@2 = 2/4, not 3/4.
    expect(await value('recall@2', q1, ranked('d1', 'd1', 'd2'))).toBe(0.5);
    expect(await value('recall@3', q1, ranked('d1', 'd1', 'd2'))).toBe(0.5);
  });

  it('cuts MRR at k when asked (mrr@1)', async () => {
    expect(await value('mrr@1', q1, q1Output)).toBe(0);
    expect(await value('mrr@2', q1, q1Output)).toBe(0.5);
  });
});
