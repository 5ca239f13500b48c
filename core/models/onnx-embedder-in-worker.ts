import { TrellisError } from '../errors.js';
import { startTypeScriptWorker } from '../typescript-worker.js';
import type { OnnxEmbedderOptions } from './onnx-embedder.js';
import type { EmbedRequest, ModelFacts, SerializedFailure, WorkerMessage } from './onnx-embedder-worker.js';
import type { EmbedOptions, EmbedResult, EmbeddingModel } from './types.js';

interface Pending {
  readonly resolve: (result: EmbedResult) => void;
  readonly reject: (error: TrellisError) => void;
}

/**
 * {@link createOnnxEmbedder} on a worker thread of its own. onnxruntime-node runs a session synchronously on the
 * calling thread, and the tokenizer is JavaScript, so an in-process embedder holds the event loop for the whole of
 * every batch; here the caller's thread stays free (ingestion loads, chunks and writes SQLite meanwhile). Vectors
 * and errors are the ones the in-process embedder gives for the same options.
 *
 * Throws what `createOnnxEmbedder` throws when the model cannot be loaded. An idle embedder does not keep the
 * process alive; `dispose()` ends the worker.
 *
 * @example
 * const embedder = await createOnnxEmbedderInWorker({ modelDir: 'models/bge-small-en-v1.5', threads: 2 });
 * const { embeddings } = await embedMany(embedder, passages);
 */
export async function createOnnxEmbedderInWorker(options: OnnxEmbedderOptions): Promise<EmbeddingModel> {
  const worker = startTypeScriptWorker(new URL('./onnx-embedder-worker.ts', import.meta.url), 'serveOnnxEmbedder', options);
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let broken: TrellisError | undefined;
  let disposed = false;

  const fail = (error: TrellisError) => {
    broken ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  const ready = new Promise<ModelFacts>((resolve, reject) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') return resolve(message.model);
      if (message.type === 'failed') return reject(deserialize(message.failure));
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (pending.size === 0) worker.unref();
      if (message.type === 'error') return waiting?.reject(deserialize(message.failure));
      waiting?.resolve({ embeddings: toRows(message.vectors, model.dimensions), usage: { tokens: message.tokens } });
    });
    worker.on('error', (error) => {
      const failure = new TrellisError('MODEL_CALL_FAILED', `the ONNX embedder worker for ${options.modelDir} failed`, { cause: error });
      reject(failure);
      fail(failure);
    });
    worker.on('exit', (code) => {
      const failure = new TrellisError('MODEL_UNAVAILABLE', `the ONNX embedder worker for ${options.modelDir} exited (${code})`);
      reject(failure);
      fail(failure);
    });
  });
  let model: ModelFacts;
  try {
    model = await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  worker.unref();

  return {
    provider: 'onnx',
    ...model,
    // Requests queue in the worker, which takes the next as soon as one is done, even while this thread is busy.
    supportsParallelCalls: true,
    doEmbed({ texts, inputType = 'document', signal }: EmbedOptions): Promise<EmbedResult> {
      if (disposed) return Promise.reject(new TrellisError('MODEL_UNAVAILABLE', `embedder ${model.modelId} was disposed`));
      if (broken) return Promise.reject(broken);
      if (signal?.aborted) {
        return Promise.reject(new TrellisError('MODEL_ABORTED', `embedding with ${model.modelId} was cancelled`, { cause: signal.reason }));
      }
      const id = nextId++;
      return new Promise<EmbedResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, texts, inputType } satisfies EmbedRequest);
      });
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      worker.removeAllListeners('exit');
      fail(new TrellisError('MODEL_UNAVAILABLE', `embedder ${model.modelId} was disposed`));
      await worker.terminate();
    },
  };
}

function toRows(vectors: Float64Array, dimensions: number): number[][] {
  const rows: number[][] = [];
  for (let start = 0; start < vectors.length; start += dimensions) rows.push(Array.from(vectors.subarray(start, start + dimensions)));
  return rows;
}

function deserialize(failure: SerializedFailure): TrellisError {
  return new TrellisError(failure.code, failure.message, { hint: failure.hint, details: failure.details });
}
