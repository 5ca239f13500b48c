import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../../evals/compare/paired-bootstrap.js';
import { seededRandom } from '../../../core/seeded-random.js';

const noisy = (count: number, seed: number, shift: number) => {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Math.min(1, Math.max(0, 0.5 + shift + (random() - 0.5) * 0.4)));
};

describe('pairedBootstrap', () => {
  it('finds a clear paired difference significant, with an interval around it', () => {
    const baseline = noisy(60, 1, 0);
    const candidate = baseline.map((value) => value + 0.05 + (value > 0.5 ? 0.01 : -0.01));
    const result = pairedBootstrap(baseline, candidate, { seed: 3 });
    expect(result.delta).toBeCloseTo(0.05, 2);
    expect(result.p).toBeLessThan(0.05);
    expect(result.ciLow).toBeGreaterThan(0);
    expect(result.ciHigh).toBeGreaterThan(result.delta);
  });

  it('finds identical runs not significant (p = 1)', () => {
    const scores = noisy(60, 2, 0);
    const result = pairedBootstrap(scores, [...scores], { seed: 3 });
    expect(result).toEqual({ delta: 0, ciLow: 0, ciHigh: 0, p: 1, pairs: 60 });
  });

  it('finds noise around the same mean not significant', () => {
    const result = pairedBootstrap(noisy(40, 5, 0), noisy(40, 6, 0), { seed: 3 });
    expect(result.p).toBeGreaterThan(0.05);
  });

  it('gives the same answer for the same seed', () => {
    const baseline = noisy(30, 7, 0);
    const candidate = noisy(30, 8, 0.02);
    expect(pairedBootstrap(baseline, candidate, { seed: 9 })).toEqual(pairedBootstrap(baseline, candidate, { seed: 9 }));
  });

  it('has nothing to test without pairs', () => {
    expect(pairedBootstrap([], [])).toEqual({ delta: 0, ciLow: 0, ciHigh: 0, p: 1, pairs: 0 });
  });
});
