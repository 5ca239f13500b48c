/**
 * The worker-thread side of {@link createOnnxEmbedderInWorker}: builds an ONNX embedder from the options in
 * `workerData` and answers embed requests on the parent port, one at a time, in the order they come.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TrellisError } from '../errors.js';
import { createOnnxEmbedder, type OnnxEmbedderOptions } from './onnx-embedder.js';
import type { EmbeddingModel } from './types.js';

/** Parent to worker. */
export interface EmbedRequest {
  readonly id: number;
  readonly texts: readonly string[];
  readonly inputType: 'query' | 'document';
}

/** A failure as it crosses the thread boundary (errors lose their class and fields in a structured clone). */
export interface SerializedFailure {
  readonly code: TrellisError['code'];
  readonly message: string;
  readonly hint: string;
  readonly details: TrellisError['details'];
}

/** What the loaded model tells the parent about itself. */
export type ModelFacts = Pick<EmbeddingModel, 'modelId' | 'dimensions' | 'maxBatchSize'>;

/** Worker to parent: first `ready` or `failed` (loading), then one answer per request. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly model: ModelFacts }
  | { readonly type: 'failed'; readonly failure: SerializedFailure }
  | {
      readonly type: 'embedded';
      readonly id: number;
      /**
       * Every vector back to back, `dimensions` numbers each: one transferable buffer instead of many arrays.
       * 64-bit, so the numbers are exactly those the embedder computed.
       */
      readonly vectors: Float64Array;
      readonly tokens: number;
    }
  | { readonly type: 'error'; readonly id: number; readonly failure: SerializedFailure };

/** Starts serving; the worker bootstrap calls it once the module is loaded. */
export async function serveOnnxEmbedder(): Promise<void> {
  const port = parentPort;
  if (!port) throw new TrellisError('INTERNAL', 'the ONNX embedder worker was started outside a worker thread');
  let embedder: EmbeddingModel;
  try {
    embedder = await createOnnxEmbedder(workerData as OnnxEmbedderOptions);
  } catch (error) {
    port.postMessage({ type: 'failed', failure: serialize(error) } satisfies WorkerMessage);
    return;
  }
  const model = { modelId: embedder.modelId, dimensions: embedder.dimensions, maxBatchSize: embedder.maxBatchSize };
  port.postMessage({ type: 'ready', model } satisfies WorkerMessage);
  port.on('message', (request: EmbedRequest) => {
    embedder.doEmbed({ texts: request.texts, inputType: request.inputType }).then(
      ({ embeddings, usage }) => {
        const vectors = new Float64Array(embeddings.length * embedder.dimensions);
        embeddings.forEach((vector, row) => vectors.set(vector, row * embedder.dimensions));
        const message: WorkerMessage = { type: 'embedded', id: request.id, vectors, tokens: usage.tokens };
        port.postMessage(message, [vectors.buffer]);
      },
      (error: unknown) => port.postMessage({ type: 'error', id: request.id, failure: serialize(error) } satisfies WorkerMessage),
    );
  });
}

function serialize(error: unknown): SerializedFailure {
  const failure = TrellisError.isInstance(error)
    ? error
    : new TrellisError('MODEL_CALL_FAILED', error instanceof Error ? error.message : String(error));
  return { code: failure.code, message: failure.message, hint: failure.hint, details: failure.details };
}
