import { TrellisError } from '../../../core/errors.js';
import { matchesMetadataFilter } from '../metadata-filter.js';
import type { ChunkMetadata, IndexHit, StoreScope, VectorEntry, VectorStore } from '../types.js';

interface StoredVector {
  readonly unit: Float32Array;
  readonly metadata: ChunkMetadata;
}

/**
 * An exact (brute-force) cosine {@link VectorStore} held in process memory. For tests, benchmarks and small
 * knowledge bases: a query costs one dot product per stored vector of the scope, and nothing survives a restart.
 * Vectors are unit-normalised on upsert, so the score is the cosine similarity whatever the embedder returns.
 */
export function createMemoryVectorStore(): VectorStore {
  const scopes = new Map<string, Map<string, StoredVector>>();
  const keyOf = (scope: StoreScope): string => JSON.stringify([scope.tenantId, scope.kbId]);

  function vectorsOf(scope: StoreScope, create: boolean): Map<string, StoredVector> | undefined {
    const key = keyOf(scope);
    let vectors = scopes.get(key);
    if (!vectors && create) {
      vectors = new Map();
      scopes.set(key, vectors);
    }
    return vectors;
  }

  async function upsert(scope: StoreScope, entries: readonly VectorEntry[]): Promise<void> {
    const vectors = vectorsOf(scope, true)!;
    const dimensions = vectors.values().next().value?.unit.length ?? entries[0]?.embedding.length;
    for (const entry of entries) {
      assertDimensions(entry.embedding.length, dimensions);
      vectors.set(entry.chunkId, { unit: toUnit(entry.embedding), metadata: entry.metadata });
    }
  }

  return {
    name: 'memory',
    upsert,
    // A map replaces on set: nothing to skip.
    add: upsert,
    async delete(scope, chunkIds) {
      const vectors = vectorsOf(scope, false);
      for (const chunkId of chunkIds) vectors?.delete(chunkId);
    },
    async query(scope, request) {
      const vectors = vectorsOf(scope, false);
      if (!vectors || vectors.size === 0 || request.topK < 1) return [];
      assertDimensions(request.embedding.length, vectors.values().next().value?.unit.length);
      const query = toUnit(request.embedding);
      const hits: IndexHit[] = [];
      for (const [chunkId, stored] of vectors) {
        if (!matchesMetadataFilter(stored.metadata, request.filter)) continue;
        hits.push({ chunkId, score: dot(query, stored.unit) });
      }
      return hits.sort((left, right) => right.score - left.score).slice(0, Math.floor(request.topK));
    },
    async count(scope) {
      return vectorsOf(scope, false)?.size ?? 0;
    },
    async drop(scope) {
      scopes.delete(keyOf(scope));
    },
  };
}

function assertDimensions(received: number, expected: number | undefined): void {
  if (expected !== undefined && received !== expected) {
    throw new TrellisError('VECTOR_DIMENSION_MISMATCH', `vector of length ${received} given to an index of length ${expected}`, {
      details: { expected, received },
    });
  }
}

function toUnit(vector: readonly number[]): Float32Array {
  const unit = Float32Array.from(vector);
  const norm = Math.sqrt(dot(unit, unit));
  if (norm > 0) for (let index = 0; index < unit.length; index += 1) unit[index]! /= norm;
  return unit;
}

function dot(left: Float32Array, right: Float32Array): number {
  let total = 0;
  for (let index = 0; index < left.length; index += 1) total += left[index]! * right[index]!;
  return total;
}
