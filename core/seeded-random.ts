/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every machine, so what
 * uses it can be reproduced exactly (a bootstrap's p-value, Louvain's tie-breaking, a benchmark's order). Returns
 * floats in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
