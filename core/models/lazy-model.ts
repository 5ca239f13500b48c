import { TrellisError } from '../errors.js';

/** Where a lazily loaded model stands. */
export type LazyModelState =
  | { readonly state: 'not-loaded' }
  | { readonly state: 'loaded' }
  | { readonly state: 'failed'; readonly code: string; readonly hint: string };

export interface LazyModel<T> {
  /** The model, loading it on first call; concurrent callers share one load. */
  get(): Promise<T>;
  state(): LazyModelState;
  /** Releases the model if it was loaded; a later `get` loads it again. */
  dispose(): Promise<void>;
}

export interface LazyModelOptions<T> {
  load: () => Promise<T>;
  release?: (model: T) => Promise<void>;
  /**
   * After a failed load, calls fail at once with the same error for this long before a new attempt. Without it an
   * offline machine would retry a download on every search, each attempt adding its timeout to the request.
   */
  retryAfterMs?: number;
  now?: () => number;
}

/**
 * A model that is loaded (and, for catalogue models, downloaded) on first use rather than at start-up, so the
 * server starts fast and runs without models it has not needed yet.
 */
export function createLazyModel<T>(options: LazyModelOptions<T>): LazyModel<T> {
  const retryAfterMs = options.retryAfterMs ?? 60_000;
  const now = options.now ?? Date.now;
  let loading: Promise<T> | undefined;
  let state: LazyModelState = { state: 'not-loaded' };
  let lastFailure: { error: TrellisError; at: number } | undefined;

  return {
    get() {
      if (!loading && lastFailure && now() - lastFailure.at < retryAfterMs) return Promise.reject(lastFailure.error);
      loading ??= options.load().then(
        (model) => {
          state = { state: 'loaded' };
          lastFailure = undefined;
          return model;
        },
        (error: unknown) => {
          loading = undefined;
          const failure = TrellisError.isInstance(error) ? error : new TrellisError('MODEL_LOAD_FAILED', String(error), { cause: error });
          state = { state: 'failed', code: failure.code, hint: failure.hint };
          lastFailure = { error: failure, at: now() };
          throw failure;
        },
      );
      return loading;
    },
    state: () => state,
    async dispose() {
      const pending = loading;
      loading = undefined;
      state = { state: 'not-loaded' };
      const model = await pending?.catch(() => undefined);
      if (model !== undefined) await options.release?.(model);
    },
  };
}
