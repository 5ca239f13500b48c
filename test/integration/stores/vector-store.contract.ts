import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import type { StoreScope, VectorEntry, VectorStore } from '../../../rag/stores/types.js';

/** What one implementation hands the contract: a fresh store and a way to release what it holds. */
export interface VectorStoreContractOptions {
  name: string;
  create(): Promise<{ store: VectorStore; destroy(): Promise<void> }>;
}

/**
 * The behaviour every VectorStore must show (LangGraph's checkpoint-validation style): each implementation runs
 * it through a name and a `create`. Every test uses its own random scopes, so one store serves the whole suite.
 */
export function describeVectorStoreContract(options: VectorStoreContractOptions): void {
  describe(`VectorStore contract: ${options.name}`, () => {
    let store: VectorStore;
    let destroy: () => Promise<void>;

    beforeAll(async () => {
      ({ store, destroy } = await options.create());
    });
    afterAll(async () => {
      await destroy?.();
    });

    it('query returns the nearest entries first, with cosine scores in [-1, 1]', async () => {
      const scope = newScope();
      await store.upsert(scope, [entry('east', [1, 0, 0]), entry('north', [0, 1, 0]), entry('west', [-1, 0, 0])]);
      const hits = await store.query(scope, { embedding: [0.9, 0.1, 0], topK: 3 });
      expect(hits.map((hit) => hit.chunkId)).toEqual(['east', 'north', 'west']);
      for (const hit of hits) expect(hit.score).toBeGreaterThanOrEqual(-1 - 1e-6);
      for (const hit of hits) expect(hit.score).toBeLessThanOrEqual(1 + 1e-6);
      expect(hits[0]?.score).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 4);
      expect(hits[2]?.score).toBeCloseTo(-0.9 / Math.hypot(0.9, 0.1), 4);
      expect(await store.query(scope, { embedding: [1, 0, 0], topK: 1 })).toHaveLength(1);
    });

    it('upsert of an existing id replaces it: count unchanged, new vector and metadata win', async () => {
      const scope = newScope();
      await store.upsert(scope, [entry('a', [1, 0, 0], { lang: 'en' }), entry('b', [0, 1, 0])]);
      await store.upsert(scope, [entry('a', [0, 0, 1], { topic: 'x' })]);
      expect(await store.count(scope)).toBe(2);
      const hits = await store.query(scope, { embedding: [0, 0, 1], topK: 1 });
      expect(hits[0]?.chunkId).toBe('a');
      expect(hits[0]?.score).toBeCloseTo(1, 4);
      expect(await store.query(scope, { embedding: [0, 0, 1], topK: 5, filter: { lang: 'en' } })).toEqual([]);
    });

    it('add stores new entries as upsert does, and an id that exists after all takes the new vector', async () => {
      const scope = newScope();
      await store.add(scope, [entry('a', [1, 0, 0], { lang: 'en' }), entry('b', [0, 1, 0])]);
      expect(await store.count(scope)).toBe(2);
      expect((await store.query(scope, { embedding: [0, 1, 0], topK: 1, filter: { lang: 'en' } })).map((hit) => hit.chunkId)).toEqual(['a']);
      await store.add(scope, [entry('a', [0, 0, 1])]);
      expect(await store.count(scope)).toBe(2);
      const hits = await store.query(scope, { embedding: [0, 0, 1], topK: 1 });
      expect(hits[0]?.chunkId).toBe('a');
      expect(hits[0]?.score).toBeCloseTo(1, 4);
      await expectCode(store.add(scope, [entry('c', [1, 0, 0, 0])]), 'VECTOR_DIMENSION_MISMATCH');
      expect(await store.count(scope)).toBe(2);
    });

    it('delete removes the named entries only', async () => {
      const scope = newScope();
      await store.upsert(scope, [entry('a', [1, 0, 0]), entry('b', [0, 1, 0]), entry('c', [0, 0, 1])]);
      await store.delete(scope, ['a', 'c', 'never-stored']);
      expect(await store.count(scope)).toBe(1);
      const hits = await store.query(scope, { embedding: [1, 0, 0], topK: 5 });
      expect(hits.map((hit) => hit.chunkId)).toEqual(['b']);
    });

    it('filters on metadata by a single value, a list of values, and several keys', async () => {
      const scope = newScope();
      await store.upsert(scope, [
        entry('en-1', [1, 0, 0], { lang: 'en', year: 2024 }),
        entry('de-1', [0.9, 0.1, 0], { lang: 'de', year: 2024 }),
        entry('fr-1', [0.8, 0.2, 0], { lang: 'fr', year: 2023 }),
        entry('bare', [0.7, 0.3, 0]),
      ]);
      const ids = async (filter: Parameters<VectorStore['query']>[1]['filter']) =>
        (await store.query(scope, { embedding: [1, 0, 0], topK: 10, filter })).map((hit) => hit.chunkId);
      expect(await ids({ lang: 'de' })).toEqual(['de-1']);
      expect(await ids({ lang: ['fr', 'en'] })).toEqual(['en-1', 'fr-1']);
      expect(await ids({ lang: ['de', 'fr'], year: 2024 })).toEqual(['de-1']);
      expect(await ids({ year: [2023] })).toEqual(['fr-1']);
      expect(await ids({ lang: [] })).toEqual([]);
    });

    it('keeps tenants apart: the same kbId under two tenants never mixes', async () => {
      const kbId = 'shared-kb';
      const first = { tenantId: `t-${randomUUID()}`, kbId };
      const second = { tenantId: `t-${randomUUID()}`, kbId };
      await store.upsert(first, [entry('only-first', [1, 0, 0])]);
      await store.upsert(second, [entry('only-second', [1, 0, 0]), entry('also-second', [0, 1, 0])]);
      expect((await store.query(first, { embedding: [1, 0, 0], topK: 10 })).map((hit) => hit.chunkId)).toEqual([
        'only-first',
      ]);
      expect(await store.count(first)).toBe(1);
      expect(await store.count(second)).toBe(2);
    });

    it('keeps the knowledge bases of one tenant apart', async () => {
      const tenantId = `t-${randomUUID()}`;
      const handbook = { tenantId, kbId: 'handbook' };
      const wiki = { tenantId, kbId: 'wiki' };
      await store.upsert(handbook, [entry('same-id', [1, 0, 0], { kb: 'handbook' })]);
      await store.upsert(wiki, [entry('same-id', [0, 1, 0], { kb: 'wiki' })]);
      const fromHandbook = await store.query(handbook, { embedding: [0, 1, 0], topK: 10, filter: { kb: 'wiki' } });
      expect(fromHandbook).toEqual([]);
      await store.delete(wiki, ['same-id']);
      expect(await store.count(handbook)).toBe(1);
    });

    it('drop removes one scope and leaves the others', async () => {
      const tenantId = `t-${randomUUID()}`;
      const dropped = { tenantId, kbId: 'old' };
      const kept = { tenantId, kbId: 'new' };
      await store.upsert(dropped, [entry('a', [1, 0, 0])]);
      await store.upsert(kept, [entry('a', [1, 0, 0])]);
      await store.drop(dropped);
      expect(await store.count(dropped)).toBe(0);
      expect(await store.query(dropped, { embedding: [1, 0, 0], topK: 3 })).toEqual([]);
      expect(await store.count(kept)).toBe(1);
      await store.drop(dropped);
      await store.upsert(dropped, [entry('b', [0, 1, 0, 0])]);
      expect(await store.count(dropped)).toBe(1);
    });

    it('rejects a vector of another dimension with VECTOR_DIMENSION_MISMATCH and keeps the stored entries', async () => {
      const scope = newScope();
      await store.upsert(scope, [entry('a', [1, 0, 0])]);
      await expectCode(store.upsert(scope, [entry('a', [1, 0, 0, 0])]), 'VECTOR_DIMENSION_MISMATCH');
      await expectCode(store.upsert(scope, [entry('b', [1, 0, 0]), entry('c', [1, 0])]), 'VECTOR_DIMENSION_MISMATCH');
      await expectCode(store.query(scope, { embedding: [1, 0], topK: 1 }), 'VECTOR_DIMENSION_MISMATCH');
      expect(await store.count(scope)).toBe(1);
    });

    it('answers an unknown scope with no hits and a zero count, not an error', async () => {
      const scope = newScope();
      expect(await store.query(scope, { embedding: [1, 0, 0], topK: 5 })).toEqual([]);
      expect(await store.count(scope)).toBe(0);
      await store.delete(scope, ['x']);
      await store.drop(scope);
      expect(await store.count(scope)).toBe(0);
    });

    it('stores batches larger than one request', async () => {
      const scope = newScope();
      const entries = Array.from({ length: 6_000 }, (_, index) => entry(`c${index}`, [1, index / 6_000, 0.5]));
      await store.upsert(scope, entries);
      expect(await store.count(scope)).toBe(6_000);
    });
  });
}

function newScope(): StoreScope {
  return { tenantId: `t-${randomUUID()}`, kbId: `kb-${randomUUID()}` };
}

function entry(chunkId: string, embedding: number[], metadata: VectorEntry['metadata'] = {}): VectorEntry {
  return { chunkId, embedding, text: `text of ${chunkId}`, metadata };
}

async function expectCode(promise: Promise<unknown>, code: TrellisError['code']): Promise<void> {
  const error = await promise.then(() => undefined, (failure: unknown) => failure);
  expect(TrellisError.isInstance(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
}
