import type { Where } from 'chromadb';
import type { MetadataFilter } from '../types.js';

type Scalar = string | number | boolean;

/**
 * Translates a Trellis metadata filter into a Chroma `where` clause: one key is an equality (or `$in` for a list),
 * several keys are joined with `$and`. Returns `undefined` for no filter and `'none'` when the filter can match
 * nothing (a key with an empty list), which Chroma would reject rather than answer with no hits.
 */
export function toChromaWhere(filter: MetadataFilter | undefined): Where | undefined | 'none' {
  if (filter === undefined) return undefined;
  const clauses: Where[] = [];
  for (const [key, value] of Object.entries(filter)) {
    const values: readonly Scalar[] = isList(value) ? value : [value];
    if (values.length === 0) return 'none';
    clauses.push(keyClause(key, values));
  }
  if (clauses.length === 0) return undefined;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

function keyClause(key: string, values: readonly Scalar[]): Where {
  if (values.length === 1) return { [key]: { $eq: values[0] } } as Where;
  // Chroma wants every `$in` list to hold one type, so a mixed list becomes an `$or` of one `$in` per type.
  const byType = new Map<string, Scalar[]>();
  for (const value of values) byType.set(typeof value, [...(byType.get(typeof value) ?? []), value]);
  const groups = [...byType.values()].map((group) => ({ [key]: { $in: group } }) as Where);
  return groups.length === 1 ? { [key]: { $in: values } } as Where : { $or: groups };
}

function isList(value: Scalar | readonly Scalar[]): value is readonly Scalar[] {
  return Array.isArray(value);
}
