import { TrellisError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const AGO = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
// Twelve digits and up: fewer would be a time before 1973, more likely epoch seconds or a typo than meant.
const EPOCH_MS = /^\d{12,15}$/;
// A date, optionally with a time: what Date.parse reads the same way on every platform.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A point in time as people type it into a filter: an ISO 8601 date or date-time, epoch milliseconds, or a duration
 * ago (`90s`, `15m`, `2h`, `7d`, `1w`). Returns epoch milliseconds; `field` names the filter in the error.
 */
export function parseTimeBound(text: string, now: number, field: string): number {
  const value = text.trim();
  const ago = AGO.exec(value);
  if (ago) return now - Number(ago[1]) * UNIT_MS[ago[2]!]!;
  if (EPOCH_MS.test(value)) return Number(value);
  if (ISO_8601.test(value)) {
    const parsed = Date.parse(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new TrellisError('TRACE_QUERY_INVALID', `${field} ${JSON.stringify(value.slice(0, 64))} is not a time: use ISO 8601, epoch milliseconds or a duration ago such as 15m, 2h, 7d`);
}
