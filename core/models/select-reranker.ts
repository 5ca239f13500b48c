import type { TrellisConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createLazyModel } from './lazy-model.js';
import { resolveCatalogueModel } from './resolve-catalogue-model.js';
import type { Reranker } from './types.js';

/** Where the configured reranker stands, for /readyz and `trellis doctor`. */
export type RerankerStatus =
  | { readonly state: 'disabled' }
  | { readonly state: 'loaded'; readonly modelId: string }
  | { readonly state: 'not-loaded'; readonly modelId: string }
  | { readonly state: 'failed'; readonly modelId: string; readonly code: string; readonly hint: string };

/** The runtime's reranker, loaded on first use (a download on first use, for catalogue models not yet cached). */
export interface RerankerHandle {
  /** False when settings switch reranking off (`provider: 'none'`); `get` then resolves to undefined. */
  readonly enabled: boolean;
  /** The loaded reranker, or undefined when disabled; rejects with the load failure otherwise. */
  get(): Promise<Reranker | undefined>;
  status(): RerankerStatus;
  dispose(): Promise<void>;
}

/**
 * Builds the reranker from `models.reranker` without loading it, like the embedder's handle: start-up stays fast,
 * and a machine without the model still searches (in fused order). A failed load is remembered for the status
 * and retried after a back-off (see createLazyModel).
 */
export function createRerankerHandle(config: TrellisConfig, logger: Logger): RerankerHandle {
  const settings = config.models.reranker;
  if (settings.provider === 'none') {
    return { enabled: false, get: async () => undefined, status: () => ({ state: 'disabled' }), dispose: async () => {} };
  }
  const modelId = settings.path ?? settings.model;

  // Imported on first use: the ONNX runtime costs start-up time that a server without search traffic should not pay.
  async function load(): Promise<Reranker> {
    const { createOnnxReranker } = await import('./onnx-reranker.js');
    if (settings.path) return createOnnxReranker({ modelDir: settings.path, threads: config.models.threads });
    const { entry, ...asset } = await resolveCatalogueModel(config, { name: settings.model, kind: 'reranker', download: true, logger });
    return createOnnxReranker({
      modelDir: asset.dir,
      modelFile: entry.model,
      modelId: entry.name,
      threads: config.models.threads,
      maxLength: entry.maxLength,
    });
  }

  const model = createLazyModel({ load, release: async (reranker) => reranker.dispose?.() });
  return {
    enabled: true,
    get: () => model.get(),
    status(): RerankerStatus {
      const current = model.state();
      return current.state === 'failed' ? { ...current, modelId } : { state: current.state, modelId };
    },
    dispose: () => model.dispose(),
  };
}
