import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, TrellisError, toTrellisError } from '../../../core/errors.js';
import { repoRoot } from '../../helpers/paths.js';

describe('TrellisError', () => {
  it('carries the code, the catalogue status and hint, and the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new TrellisError('MODEL_UNAVAILABLE', 'model x is not here', { cause });
    expect(error).toMatchObject({ code: 'MODEL_UNAVAILABLE', status: 503, hint: ERROR_CODES.MODEL_UNAVAILABLE.hint, cause });
    expect(error.toJSON()).toEqual({ code: 'MODEL_UNAVAILABLE', message: 'model x is not here', hint: ERROR_CODES.MODEL_UNAVAILABLE.hint });
  });

  it('is recognised by marker, also across module copies, and by code', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('trellis.error')]: true, code: 'INTERNAL' });
    expect(TrellisError.isInstance(foreign)).toBe(true);
    expect(TrellisError.isInstance(new TrellisError('INTERNAL', 'x'), 'CONFIG_INVALID')).toBe(false);
    expect(TrellisError.isInstance(new Error('plain'))).toBe(false);
  });

  it('wraps third-party failures once, keeping TrellisErrors as they are', () => {
    const original = new TrellisError('DB_OPEN_FAILED', 'x');
    expect(toTrellisError(original, 'INTERNAL')).toBe(original);
    const wrapped = toTrellisError(new Error('disk full'), 'DB_OPEN_FAILED', 'cannot open a.db');
    expect(wrapped).toMatchObject({ code: 'DB_OPEN_FAILED', message: 'cannot open a.db: disk full' });
  });
});

describe('the error catalogue', () => {
  it('uses AREA_PROBLEM codes, HTTP statuses and a hint for every code', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
      expect(entry.hint.length).toBeGreaterThan(10);
    }
  });

  it('matches the README error table exactly', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Error codes'));
    const documented = [...table.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    const catalogued = Object.entries(ERROR_CODES).map(([code, entry]) => [code, entry.status]);
    expect(documented).toEqual(catalogued);
  });
});
