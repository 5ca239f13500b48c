import type { TrellisConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createLazyModel } from './lazy-model.js';
import { resolveCatalogueModel } from './resolve-catalogue-model.js';
import type { EmbeddingModel } from './types.js';

/** Where the configured embedder stands, for /readyz and `trellis doctor`. */
export type EmbedderStatus =
  | { readonly state: 'loaded'; readonly modelId: string; readonly dimensions: number }
  | { readonly state: 'not-loaded'; readonly modelId: string }
  | { readonly state: 'failed'; readonly modelId: string; readonly code: string; readonly hint: string };

/** The runtime's embedder, loaded on first use (a download on first use, for catalogue models not yet cached). */
export interface EmbedderHandle {
  get(): Promise<EmbeddingModel>;
  status(): EmbedderStatus;
  dispose(): Promise<void>;
}

/**
 * Builds the embedder from settings without loading it: start-up stays fast, and a machine without the model can
 * still serve everything that needs none. A failed load is remembered for the status and retried after a back-off.
 */
export function createEmbedderHandle(config: TrellisConfig, logger: Logger): EmbedderHandle {
  const settings = config.models.embedding;
  const modelId = settings.path ?? settings.model;

  // Imported on first use: the ONNX runtime and the OpenAI SDK cost start-up time that a server without
  // retrieval traffic should not pay.
  async function load(): Promise<EmbeddingModel> {
    if (settings.provider === 'openai-compatible') {
      const { createOpenAICompatibleEmbedder } = await import('./openai-compatible-embedder.js');
      return createOpenAICompatibleEmbedder({
        model: settings.model,
        baseUrl: settings.baseUrl ?? config.providers.openai.baseUrl,
        apiKey: settings.apiKey ?? config.providers.openai.apiKey,
        dimensions: settings.dimensions,
        maxBatchSize: settings.batchSize,
      });
    }
    // On a worker thread: ONNX runs a batch synchronously and the tokenizer is JavaScript, so in process every
    // batch would stall the server's event loop and the ingestion work that overlaps with embedding.
    const { createOnnxEmbedderInWorker } = await import('./onnx-embedder-in-worker.js');
    if (settings.path) {
      return createOnnxEmbedderInWorker({ modelDir: settings.path, threads: config.models.threads, maxBatchSize: settings.batchSize });
    }
    const { entry, ...asset } = await resolveCatalogueModel(config, { name: settings.model, kind: 'embedding', download: true, logger });
    return createOnnxEmbedderInWorker({
      modelDir: asset.dir,
      modelId: entry.name,
      threads: config.models.threads,
      maxBatchSize: settings.batchSize,
      pooling: entry.pooling,
      queryPrefix: entry.queryPrefix,
      maxLength: entry.maxLength,
    });
  }

  const model = createLazyModel({ load, release: async (embedder) => embedder.dispose?.() });
  let dimensions = 0;
  return {
    async get() {
      const embedder = await model.get();
      dimensions = embedder.dimensions;
      return embedder;
    },
    status(): EmbedderStatus {
      const current = model.state();
      if (current.state === 'failed') return { ...current, modelId };
      return current.state === 'loaded' ? { state: 'loaded', modelId, dimensions } : { state: 'not-loaded', modelId };
    },
    dispose: () => model.dispose(),
  };
}
