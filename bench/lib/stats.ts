/** Small helpers every benchmark shares: percentiles, rounding, one JSON line per measurement. */
import { openSync, readSync } from 'node:fs';
import { seededRandom } from '../../core/seeded-random.js';

/** Nearest-rank percentile (p in 0..1) of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

export function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** One measurement as one JSON line on stdout. */
export function printLine(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** Peak resident set size of this process so far, in MiB (`maxRSS` is in KiB). */
export function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024, 1);
}

/** The values in a random order (Fisher–Yates), drawn from `random`. */
export function shuffled<T>(values: readonly T[], random: () => number): T[] {
  const out = [...values];
  for (let index = out.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [out[index], out[other]] = [out[other]!, out[index]!];
  }
  return out;
}

/**
 * A 95% interval for `median(candidate) / median(baseline) - 1`, in percent, by the paired bootstrap: samples are
 * taken in pairs (the same iteration of both), so drift of a shared machine moves both sides of every resample alike.
 */
export function bootstrapMedianRatioPct(baseline: readonly number[], candidate: readonly number[], resamples = 2000, seed = 1): [number, number] {
  const random = seededRandom(seed);
  const count = Math.min(baseline.length, candidate.length);
  const ratios: number[] = [];
  const left = new Array<number>(count);
  const right = new Array<number>(count);
  for (let draw = 0; draw < resamples; draw += 1) {
    for (let index = 0; index < count; index += 1) {
      const pick = Math.floor(random() * count);
      left[index] = baseline[pick]!;
      right[index] = candidate[pick]!;
    }
    ratios.push((median(right) / median(left) - 1) * 100);
  }
  ratios.sort((a, b) => a - b);
  return [percentile(ratios, 0.025), percentile(ratios, 0.975)];
}

/**
 * CPU time this thread has used, in milliseconds, read from Linux's per-thread schedstat (nanoseconds, about a
 * microsecond to read): unlike `process.cpuUsage()` it leaves out other threads (GC helpers, worker threads).
 * Undefined where the kernel does not offer it.
 */
export function threadCpuClock(): (() => number) | undefined {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
  const buffer = Buffer.alloc(64);
  return () => {
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return Number(buffer.toString('latin1', 0, length).split(' ', 1)[0]) / 1e6;
  };
}
