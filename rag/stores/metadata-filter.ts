import type { ChunkMetadata, MetadataFilter } from './types.js';

/**
 * True when `metadata` satisfies `filter`: every filter key is present with one of its values (strict equality,
 * so the string "1" never matches the number 1). For stores that filter in memory.
 */
export function matchesMetadataFilter(metadata: ChunkMetadata, filter: MetadataFilter | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, expected]) => {
    if (!Object.hasOwn(metadata, key)) return false;
    const actual = metadata[key];
    return Array.isArray(expected) ? expected.includes(actual) : expected === actual;
  });
}
