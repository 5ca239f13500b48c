import { v7 } from '@langchain/core/utils/uuid';
import { uuid7 } from 'langsmith';
import { afterEach, describe, expect, it, vi } from 'vitest';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const IDS = 1600;

// patches/ (applied by `npm install`) make LangChain's and LangSmith's uuid copies take their random bytes from a
// pool: every runnable call makes several ids, and one getRandomValues call per id was 5-11% of the API server's
// CPU. These tests fail if the patches were not applied, or if pooling broke the ids.
describe('uuid randomness from a pool (patches/)', () => {
  afterEach(() => vi.restoreAllMocks());

  // (v4 ids come from Node's own randomUUID, which pools already.)
  const makers = [
    ['@langchain/core v7', v7],
    ['langsmith uuid7', uuid7],
  ] as const;

  it.each(makers)('%s: valid, distinct ids, one call to the random source per 16', (_name, make) => {
    const getRandomValues = vi.spyOn(crypto, 'getRandomValues');
    const ids = Array.from({ length: IDS }, () => make());

    expect(new Set(ids).size).toBe(IDS);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(getRandomValues.mock.calls.length).toBeGreaterThan(0);
    expect(getRandomValues.mock.calls.length).toBeLessThanOrEqual(IDS / 16 + 1);
  });

  // Within one millisecond v7 ids differ by a counter anyway; their last 48 bits are random bytes alone.
  it.each(makers)('%s: every id gets fresh random bytes, not a repeated slice of the pool', (_name, make) => {
    const randomTails = new Set(Array.from({ length: 64 }, () => make().slice(-12)));
    expect(randomTails.size).toBe(64);
  });
});
