import { createHash } from 'node:crypto';
import type { SqliteDatabase } from '../../core/db.js';

/** Model responses by request, so that a re-run or a resumed run does not call a model twice for one request. */
export interface ModelCallCache {
  get(key: string): unknown;
  set(key: string, modelId: string, response: unknown): void;
  /** Lookups answered from the cache and lookups that went to the model, since this cache was made. */
  stats(): { readonly hits: number; readonly misses: number };
}

/**
 * The cache key of a request: sha256 of its canonical JSON (object keys sorted at every depth), so two requests
 * that differ only in key order share an entry. The request must hold everything that changes the answer: model
 * id, messages, tools, sampling settings, seed.
 */
export function requestKey(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The cache in the runtime's database (`eval_model_cache`), shared by every run on this data dir. */
export function createSqliteModelCache(db: SqliteDatabase, now: () => Date = () => new Date()): ModelCallCache {
  const select = db.prepare('SELECT response FROM eval_model_cache WHERE key = ?').pluck();
  const insert = db.prepare('INSERT OR REPLACE INTO eval_model_cache (key, model_id, response, created_at) VALUES (?, ?, ?, ?)');
  const counts = { hits: 0, misses: 0 };
  return {
    get(key) {
      const stored = select.get(key) as string | undefined;
      if (stored === undefined) {
        counts.misses += 1;
        return undefined;
      }
      counts.hits += 1;
      return JSON.parse(stored) as unknown;
    },
    set(key, modelId, response) {
      insert.run(key, modelId, JSON.stringify(response), now().toISOString());
    },
    stats: () => ({ ...counts }),
  };
}
