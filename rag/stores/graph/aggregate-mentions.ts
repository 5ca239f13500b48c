import { createHash } from 'node:crypto';
import type { GraphEntity, GraphRelation } from './types.js';

/** An entity mention as a store reads it back. */
export interface StoredEntityMention {
  readonly key: string;
  readonly chunkId: string;
  readonly name: string;
  readonly type: string;
  readonly description: string;
  readonly weight: number;
}

/** A relation mention as a store reads it back. */
export interface StoredRelationMention {
  readonly sourceKey: string;
  readonly targetKey: string;
  readonly type: string;
  readonly chunkId: string;
  readonly description: string;
  readonly weight: number;
}

/** Longest description an entity or relation shows; beyond it the rest of its evidence is left out. */
const MAX_DESCRIPTION_CHARS = 2000;

/**
 * Folds mention rows into entities, the way every store must (so both stores show the same graph): the rules are
 * those documented on {@link GraphEntity}. `aliases` maps entity keys to the alias keys their mentions registered.
 */
export function aggregateEntities(
  mentions: readonly StoredEntityMention[],
  aliases: ReadonlyMap<string, readonly string[]> = new Map(),
): GraphEntity[] {
  const byKey = groupBy(mentions, (mention) => mention.key);
  return [...byKey.entries()].map(([key, rows]) => {
    const group = inChunkOrder(rows);
    const names = new Set(group.map((mention) => mention.name));
    for (const alias of aliases.get(key) ?? []) names.add(alias);
    return {
      id: key,
      name: mostFrequent(group.map((mention) => mention.name), (left, right) => right.length - left.length),
      type: mostFrequent(group.map((mention) => mention.type)),
      description: joinDescriptions(group),
      aliases: [...names].sort(compareCodePoints),
      chunkIds: [...new Set(group.map((mention) => mention.chunkId))].sort(compareCodePoints),
      weight: sum(group.map((mention) => mention.weight)),
    };
  });
}

/** Folds relation mention rows into relations, one per (source, type, target). */
export function aggregateRelations(mentions: readonly StoredRelationMention[]): GraphRelation[] {
  const byId = groupBy(mentions, (mention) => relationId(mention.sourceKey, mention.type, mention.targetKey));
  return [...byId.entries()].map(([id, rows]) => {
    const group = inChunkOrder(rows);
    const first = group[0]!;
    return {
      id,
      sourceId: first.sourceKey,
      targetId: first.targetKey,
      type: first.type,
      description: joinDescriptions(group),
      weight: sum(group.map((mention) => mention.weight)),
      chunkIds: [...new Set(group.map((mention) => mention.chunkId))].sort(compareCodePoints),
    };
  });
}

/** The id of the relation (source, type, target): a short digest, the same in every store. */
export function relationId(sourceKey: string, type: string, targetKey: string): string {
  return createHash('sha256').update(`${sourceKey}\u0000${type}\u0000${targetKey}`).digest('hex').slice(0, 24);
}

/** Plain code-point order, independent of the locale (so ids and lists sort the same everywhere). */
export function compareCodePoints(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Rows in a fixed order whatever order a store read them in, so sums of weights come out bit-identical. */
function inChunkOrder<T extends { readonly chunkId: string; readonly description: string; readonly weight: number }>(rows: readonly T[]): T[] {
  return [...rows].sort((left, right) =>
    compareCodePoints(left.chunkId, right.chunkId) || compareCodePoints(left.description, right.description) || left.weight - right.weight);
}

function joinDescriptions(ordered: readonly { readonly chunkId: string; readonly description: string }[]): string {
  const distinct = [...new Set(ordered.map((mention) => mention.description.trim()).filter((text) => text !== ''))];
  let joined = '';
  for (const description of distinct) {
    const next = joined === '' ? description : `${joined}\n${description}`;
    if (next.length > MAX_DESCRIPTION_CHARS) break;
    joined = next;
  }
  return joined;
}

/** The most frequent value; ties go to `tieBreak`, then to code-point order. */
function mostFrequent(values: readonly string[], tieBreak: (left: string, right: string) => number = () => 0): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort(([left, leftCount], [right, rightCount]) =>
    rightCount - leftCount || tieBreak(left, right) || compareCodePoints(left, right))[0]![0];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
