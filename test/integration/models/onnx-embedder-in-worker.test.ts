import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import { embedMany } from '../../../core/models/embed-many.js';
import { createOnnxEmbedder } from '../../../core/models/onnx-embedder.js';
import { createOnnxEmbedderInWorker } from '../../../core/models/onnx-embedder-in-worker.js';
import type { EmbeddingModel } from '../../../core/models/types.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const gloveDir = path.resolve(repoRoot, '../shared/models/glove-6B-100d-60k-onnx');

describe('createOnnxEmbedderInWorker (GloVe 100d on a worker thread)', () => {
  let inWorker: EmbeddingModel;
  let inProcess: EmbeddingModel;
  beforeAll(async () => {
    [inWorker, inProcess] = await Promise.all([
      createOnnxEmbedderInWorker({ modelDir: gloveDir, maxBatchSize: 8 }),
      createOnnxEmbedder({ modelDir: gloveDir, maxBatchSize: 8 }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([inWorker?.dispose?.(), inProcess?.dispose?.()]);
  });

  it('reports the model as the in-process embedder does and calls it in parallel', () => {
    expect(inWorker).toMatchObject({ provider: 'onnx', modelId: inProcess.modelId, dimensions: 100, maxBatchSize: 8, supportsParallelCalls: true });
  });

  it('returns exactly the in-process vectors, in input order, over many parallel batches', async () => {
    const texts = Array.from({ length: 50 }, (_, index) => `passage ${index} on laminar flow over a flat plate at mach ${index % 7}`);
    const [fromWorker, fromProcess] = await Promise.all([embedMany(inWorker, texts), embedMany(inProcess, texts)]);
    expect(fromWorker.embeddings).toEqual(fromProcess.embeddings);
    expect(fromWorker.usage).toEqual(fromProcess.usage);
  });

  it('keeps the code of a failure raised inside the worker', async () => {
    const failure = await inWorker.doEmbed({ texts: Array.from({ length: 9 }, () => 'x') }).catch((error: unknown) => error);
    expect(TrellisError.isInstance(failure, 'EMBEDDING_INPUT_INVALID')).toBe(true);
  });

  it('fails to load a missing model with the in-process code', async () => {
    const failure = await createOnnxEmbedderInWorker({ modelDir: path.join(repoRoot, 'no-such-model') }).catch((error: unknown) => error);
    expect(TrellisError.isInstance(failure, 'MODEL_UNAVAILABLE')).toBe(true);
  });

  it('refuses calls once disposed', async () => {
    const embedder = await createOnnxEmbedderInWorker({ modelDir: gloveDir });
    await embedder.dispose?.();
    await embedder.dispose?.();
    const failure = await embedder.doEmbed({ texts: ['x'] }).catch((error: unknown) => error);
    expect(TrellisError.isInstance(failure, 'MODEL_UNAVAILABLE')).toBe(true);
  });
});
