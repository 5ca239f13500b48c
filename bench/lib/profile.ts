/**
 * Timers around the parts ingestion is made of, for `--profile` runs: each wrapped call adds its wall time (ms)
 * to a named total. Calls that overlap (pipelined work) each count their own time, so totals may exceed the run.
 */
import type { EmbeddingModel } from '../../core/models/types.js';
import type { Documents } from '../../rag/knowledge/documents.js';
import type { KeywordStore, VectorStore } from '../../rag/stores/types.js';

export type Profile = Map<string, number>;

function timed<T>(profile: Profile, key: string, run: () => T): T {
  const started = performance.now();
  const add = () => profile.set(key, (profile.get(key) ?? 0) + performance.now() - started);
  const result = run();
  if (result instanceof Promise) return result.finally(add) as T;
  add();
  return result;
}

export const instrument = {
  embedder(model: EmbeddingModel, profile: Profile): EmbeddingModel {
    return {
      provider: model.provider,
      modelId: model.modelId,
      get dimensions() { return model.dimensions; },
      maxBatchSize: model.maxBatchSize,
      supportsParallelCalls: model.supportsParallelCalls,
      doEmbed: (options) => timed(profile, 'embed', () => model.doEmbed(options)),
      dispose: model.dispose?.bind(model),
    };
  },
  vectorStore(store: VectorStore, profile: Profile): VectorStore {
    return {
      ...store,
      upsert: (scope, entries) => timed(profile, 'vector_upsert', () => store.upsert(scope, entries)),
      add: (scope, entries) => timed(profile, 'vector_add', () => store.add(scope, entries)),
      delete: (scope, ids) => timed(profile, 'vector_delete', () => store.delete(scope, ids)),
    };
  },
  keywordStore(store: KeywordStore, profile: Profile): KeywordStore {
    return {
      ...store,
      upsert: (scope, entries) => timed(profile, 'keyword_upsert', () => store.upsert(scope, entries)),
      delete: (scope, ids) => timed(profile, 'keyword_delete', () => store.delete(scope, ids)),
    };
  },
  /** SQLite source-of-truth writes (documents, chunks, status). */
  documents(documents: Documents, profile: Profile): Documents {
    return new Proxy(documents, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function' || !['replace', 'markReady', 'state', 'tombstones'].includes(String(key))) {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (...args: unknown[]) => timed(profile, `sqlite_${String(key)}`, () => (value as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
  },
};
