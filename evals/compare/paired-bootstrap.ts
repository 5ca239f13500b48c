import { seededRandom } from '../../core/seeded-random.js';

export interface PairedBootstrapOptions {
  /** Resamples; 10,000 gives p-values to about ±0.005 near 0.05. */
  readonly samples?: number;
  readonly seed?: number;
}

export interface PairedBootstrapResult {
  /** Mean of candidate − baseline over the pairs. */
  readonly delta: number;
  /** 95% percentile interval of the resampled mean delta. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Two-sided p-value of "no difference". */
  readonly p: number;
  readonly pairs: number;
}

/**
 * The paired bootstrap test (Efron & Tibshirani 1993, §16.4; as used for NLP systems by Koehn 2004): resample the
 * cases with replacement, recompute the mean difference, and count how often a resampled difference, shifted to
 * the null hypothesis of no difference, is at least as far from 0 as the observed one. Seeded, so reruns agree.
 * `baseline[i]` and `candidate[i]` must be the same case.
 */
export function pairedBootstrap(baseline: ArrayLike<number>, candidate: ArrayLike<number>, options: PairedBootstrapOptions = {}): PairedBootstrapResult {
  const pairs = Math.min(baseline.length, candidate.length);
  if (pairs === 0) return { delta: 0, ciLow: 0, ciHigh: 0, p: 1, pairs: 0 };
  const differences = new Float64Array(pairs);
  let sum = 0;
  for (let index = 0; index < pairs; index++) {
    differences[index] = candidate[index]! - baseline[index]!;
    sum += differences[index]!;
  }
  const delta = sum / pairs;
  const samples = options.samples ?? 10_000;
  const random = seededRandom(options.seed ?? 0);
  const means = new Float64Array(samples);
  let asExtreme = 0;
  for (let sample = 0; sample < samples; sample++) {
    let total = 0;
    for (let draw = 0; draw < pairs; draw++) total += differences[Math.floor(random() * pairs)]!;
    const mean = total / pairs;
    means[sample] = mean;
    // Floating-point sums of the same values in another order can differ in the last bits: treat those as ties.
    if (Math.abs(mean - delta) >= Math.abs(delta) - 1e-12) asExtreme += 1;
  }
  means.sort();
  return {
    delta,
    ciLow: means[Math.floor(0.025 * (samples - 1))]!,
    ciHigh: means[Math.ceil(0.975 * (samples - 1))]!,
    // The +1s count the observed sample itself, so p is never exactly 0 (Davison & Hinkley 1997, eq. 4.11).
    p: (asExtreme + 1) / (samples + 1),
    pairs,
  };
}
