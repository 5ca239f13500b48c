/**
 * Streaming statistics: a run's scores are folded in one at a time (Welford's algorithm), so a summary of any
 * number of cases holds a few numbers per metric, never the scores themselves.
 */
export class RunningStats {
  private count = 0;
  private meanValue = 0;
  /** Sum of squared distances from the mean (Welford's M2). */
  private m2 = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    this.count += 1;
    const delta = value - this.meanValue;
    this.meanValue += delta / this.count;
    this.m2 += delta * (value - this.meanValue);
    if (value < this.minValue) this.minValue = value;
    if (value > this.maxValue) this.maxValue = value;
  }

  get n(): number {
    return this.count;
  }

  get mean(): number {
    return this.count === 0 ? Number.NaN : this.meanValue;
  }

  /** Sample standard deviation (n − 1); 0 for a single value. */
  get stdDev(): number {
    return this.count < 2 ? 0 : Math.sqrt(this.m2 / (this.count - 1));
  }

  get min(): number {
    return this.minValue;
  }

  get max(): number {
    return this.maxValue;
  }

  /** Mean ± the half-width of its 95% confidence interval (Student's t on n − 1 degrees of freedom). */
  summary(): MeanSummary {
    const halfWidth = this.count < 2 ? 0 : tQuantile975(this.count - 1) * (this.stdDev / Math.sqrt(this.count));
    return { mean: this.mean, ciLow: this.mean - halfWidth, ciHigh: this.mean + halfWidth, n: this.count, stdDev: this.stdDev };
  }
}

/** A mean with its 95% confidence interval. */
export interface MeanSummary {
  readonly mean: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly n: number;
  readonly stdDev: number;
}

/** Two-sided 95% quantiles of Student's t for 1 to 30 degrees of freedom; beyond that the normal 1.96 is close. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Number.NaN;
  return T_975[degreesOfFreedom - 1] ?? 1.96;
}
