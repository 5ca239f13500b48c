import { embedMany } from '../../core/models/embed-many.js';
import type { EmbeddingModel } from '../../core/models/types.js';
import { compareCodePoints } from '../stores/graph/aggregate-mentions.js';
import type { DocumentGraph, EntityMention, GraphEntity, GraphStore, RelationMention } from '../stores/graph/types.js';
import type { StoreScope } from '../stores/types.js';
import { aliasKeys, isInitialKey, isLookupOnlyKey, lookupKeys, namesCompatible, normaliseName, withoutQualifier } from './normalise-name.js';
import type { ChunkExtraction } from './types.js';

/** Cosine similarity of two names' embeddings above which names sharing a first initial and last word are merged. */
export const DEFAULT_NAME_SIMILARITY = 0.9;

/** Options for {@link resolveDocumentGraph}. */
export interface ResolveDocumentGraphOptions {
  readonly scope: StoreScope;
  readonly documentId: string;
  readonly extractions: readonly ChunkExtraction[];
  /** Where existing entities are looked up, so a new document's mentions join the entities already known. */
  readonly store: GraphStore;
  /** Compares names that rules leave undecided; without one, only the rules merge. */
  readonly embedder?: EmbeddingModel;
  readonly similarity?: number;
  readonly signal?: AbortSignal;
}

interface Resolved {
  readonly key: string;
  /** Normalised names known under this key (its own, its aliases). */
  readonly names: readonly string[];
}

/**
 * Entity resolution: gives every extracted entity of a document the key of the entity it denotes, reusing an
 * existing entity's key when the names match (equal normalised names or aliases, name variants such as "Ed Wood"
 * and "Edward D. Wood Jr.", acronyms) or, with an embedder, when two names that share a first initial and last word
 * embed alike. Names are resolved longest first, so the fullest form of a name in a document becomes the key that
 * its shorter forms join. Relations follow their ends' keys; each (entity, chunk) becomes one mention.
 */
export async function resolveDocumentGraph(options: ResolveDocumentGraphOptions): Promise<DocumentGraph> {
  const { scope, extractions, store } = options;
  const proper = new Map<string, boolean>();
  for (const extraction of extractions) {
    for (const entity of extraction.entities) {
      if (normaliseName(entity.name) === '') continue;
      proper.set(entity.name, (proper.get(entity.name) ?? false) || entity.proper);
    }
  }
  const normalised = new Map([...proper.keys()].map((name) => [name, normaliseName(withoutQualifier(name))]));
  const names = [...proper.keys()].sort((left, right) => normalised.get(right)!.length - normalised.get(left)!.length || compareCodePoints(left, right));
  const keys = new Set(names.flatMap((name) => lookupKeys(name, { proper: proper.get(name)! })));
  const candidates = keys.size === 0 ? [] : await store.findEntities(scope, { keys: [...keys], limit: Math.max(50, keys.size * 4) });
  // Every key an entity answers to (its own, its aliases, its candidate-finding keys) → the entities answering to it.
  const byKey = new Map<string, Resolved[]>();
  const register = (entity: Resolved) => {
    for (const key of entity.names) {
      const list = byKey.get(key);
      if (!list) byKey.set(key, [entity]);
      else if (!list.includes(entity)) list.push(entity);
    }
  };
  const known = candidates.map(toResolved);
  for (const entity of known) register(entity);
  const similar = options.embedder ? await similarityOf(names, known, options) : undefined;

  const keyOf = new Map<string, string>();
  for (const name of names) {
    const isProper = proper.get(name)!;
    const key = normaliseName(name);
    const bare = normalised.get(name)!;
    const match = [key, bare].flatMap((exact) => byKey.get(exact) ?? [])[0]
      ?? (isProper ? variantOf(name, bare, byKey, similar) : undefined);
    if (match) {
      keyOf.set(name, match.key);
      continue;
    }
    keyOf.set(name, key);
    register({ key, names: [key, ...aliasKeys(name, { proper: isProper })] });
  }

  const entities = new Map<string, EntityMention>();
  const relations = new Map<string, RelationMention>();
  for (const extraction of extractions) {
    for (const entity of extraction.entities) {
      const key = keyOf.get(entity.name);
      if (key === undefined) continue;
      const id = `${key}\u0000${extraction.chunkId}`;
      const existing = entities.get(id);
      const aliases = aliasKeys(entity.name, { proper: entity.proper });
      entities.set(id, existing
        ? {
          ...existing,
          aliases: [...new Set([...existing.aliases, ...aliases])].sort(compareCodePoints),
          weight: existing.weight + entity.weight,
          description: existing.description || entity.description,
        }
        : {
          key,
          name: entity.name,
          type: entity.type,
          description: entity.description,
          aliases: aliases.sort(compareCodePoints),
          chunkId: extraction.chunkId,
          weight: entity.weight,
        });
    }
    for (const relation of extraction.relations) {
      const sourceKey = keyOf.get(relation.source);
      const targetKey = keyOf.get(relation.target);
      if (sourceKey === undefined || targetKey === undefined || sourceKey === targetKey) continue;
      const [from, to] = relation.type === 'co_occurs' && targetKey < sourceKey ? [targetKey, sourceKey] : [sourceKey, targetKey];
      const id = `${from}\u0000${relation.type}\u0000${to}\u0000${extraction.chunkId}`;
      const existing = relations.get(id);
      relations.set(id, {
        sourceKey: from,
        targetKey: to,
        type: relation.type,
        description: existing?.description || relation.description,
        weight: (existing?.weight ?? 0) + relation.weight,
        chunkId: extraction.chunkId,
      });
    }
  }
  return { documentId: options.documentId, entities: [...entities.values()], relations: [...relations.values()] };
}

/**
 * An entity that a proper name is a variant of, among those sharing one of its candidate-finding keys: an acronym
 * key is a match by itself; a first-initial-and-last-word key needs compatible names or, with an embedder, similar ones.
 */
function variantOf(
  name: string,
  bare: string,
  byKey: ReadonlyMap<string, readonly Resolved[]>,
  similar: ((name: string, other: string) => boolean) | undefined,
): Resolved | undefined {
  for (const key of lookupKeys(name, { proper: true })) {
    if (key === bare || key === normaliseName(name)) continue;
    for (const entity of byKey.get(key) ?? []) {
      if (!isInitialKey(key)) return entity;
      const names = entity.names.filter((other) => !isLookupOnlyKey(other));
      if (names.some((other) => namesCompatible(bare, other) || (similar?.(name, other) ?? false))) return entity;
    }
  }
  return undefined;
}

function toResolved(entity: GraphEntity): Resolved {
  return { key: entity.id, names: [entity.id, ...entity.aliases.map((alias) => (isLookupOnlyKey(alias) ? alias : normaliseName(alias)))] };
}

/**
 * Embeds the document's proper names and the candidates' names once, and answers whether two of them are close.
 * Only pairs sharing a first initial and last word are ever asked (the rules' candidates), so a merge by
 * similarity never joins names that merely embed alike ("Paris" and "London").
 */
async function similarityOf(
  names: readonly string[],
  known: readonly Resolved[],
  options: ResolveDocumentGraphOptions,
): Promise<(name: string, other: string) => boolean> {
  const threshold = options.similarity ?? DEFAULT_NAME_SIMILARITY;
  const pool = new Map<string, number>();
  const blocked = (left: string, right: string) => {
    const a = left.split(' ');
    const b = right.split(' ');
    return a.length > 1 && b.length > 1 && a[0]![0] === b[0]![0] && a[a.length - 1] === b[b.length - 1];
  };
  const pairs: [string, string][] = [];
  for (const name of names) {
    const bare = normaliseName(withoutQualifier(name));
    for (const entity of known) {
      for (const other of entity.names) {
        if (!isLookupOnlyKey(other) && other !== bare && blocked(bare, other)) pairs.push([bare, other]);
      }
    }
  }
  if (pairs.length === 0 || !options.embedder) return () => false;
  for (const [left, right] of pairs) {
    if (!pool.has(left)) pool.set(left, pool.size);
    if (!pool.has(right)) pool.set(right, pool.size);
  }
  const { embeddings } = await embedMany(options.embedder, [...pool.keys()], { inputType: 'document', signal: options.signal });
  return (name, other) => {
    const left = pool.get(normaliseName(withoutQualifier(name)));
    const right = pool.get(other);
    if (left === undefined || right === undefined) return false;
    return cosine(embeddings[left]!, embeddings[right]!) >= threshold;
  };
}

function cosine(left: readonly number[], right: readonly number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < left.length; index += 1) {
    dot += left[index]! * right[index]!;
    leftNorm += left[index]! ** 2;
    rightNorm += right[index]! ** 2;
  }
  return leftNorm === 0 || rightNorm === 0 ? 0 : dot / Math.sqrt(leftNorm * rightNorm);
}
