import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunningStats, tQuantile975 } from '../../../evals/run/statistics.js';

function direct(values: readonly number[]) {
  const mean = values.reduce((total, value) => total + value, 0) / values.length;
  const variance = values.reduce((total, value) => total + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, stdDev: Math.sqrt(variance) };
}

describe('RunningStats', () => {
  it('agrees with the two-pass mean and sample standard deviation', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 2, maxLength: 200 }), (values) => {
        const stats = new RunningStats();
        for (const value of values) stats.add(value);
        const expected = direct(values);
        expect(stats.mean).toBeCloseTo(expected.mean, 6);
        expect(stats.stdDev).toBeCloseTo(expected.stdDev, 6);
        expect(stats.min).toBe(Math.min(...values));
        expect(stats.max).toBe(Math.max(...values));
      }),
    );
  });

  it('gives the t-based 95% interval: mean ± t(n−1) · s / √n', () => {
    const stats = new RunningStats();
    for (const value of [0, 1, 1, 1, 0]) stats.add(value);
    const summary = stats.summary();
    const halfWidth = 2.776 * (Math.sqrt(0.3) / Math.sqrt(5));
    expect(summary).toMatchObject({ mean: 0.6, n: 5 });
    expect(summary.ciLow).toBeCloseTo(0.6 - halfWidth, 10);
    expect(summary.ciHigh).toBeCloseTo(0.6 + halfWidth, 10);
  });

  it('has no interval for fewer than two values, and NaN mean for none', () => {
    const stats = new RunningStats();
    expect(stats.summary().mean).toBeNaN();
    stats.add(0.4);
    expect(stats.summary()).toEqual({ mean: 0.4, ciLow: 0.4, ciHigh: 0.4, n: 1, stdDev: 0 });
  });
});

describe('tQuantile975', () => {
  it('follows the t table and tends to the normal 1.96', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(10)).toBe(2.228);
    expect(tQuantile975(30)).toBe(2.042);
    expect(tQuantile975(500)).toBe(1.96);
    expect(tQuantile975(0)).toBeNaN();
  });
});
