import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import { embedMany } from '../../../core/models/embed-many.js';
import { createOnnxEmbedder } from '../../../core/models/onnx-embedder.js';
import type { EmbeddingModel } from '../../../core/models/types.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const gloveDir = path.resolve(repoRoot, '../shared/models/glove-6B-100d-60k-onnx');

function cosine(left: readonly number[], right: readonly number[]): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  left.forEach((value, index) => {
    const other = right[index] ?? 0;
    dot += value * other;
    leftNorm += value * value;
    rightNorm += other * other;
  });
  return dot / Math.sqrt(leftNorm * rightNorm);
}

function norm(vector: readonly number[]): number {
  return Math.sqrt(vector.reduce((total, value) => total + value * value, 0));
}

describe('createOnnxEmbedder (GloVe 100d, real inference)', () => {
  let embedder: EmbeddingModel;
  beforeAll(async () => {
    embedder = await createOnnxEmbedder({ modelDir: gloveDir, modelId: 'glove-6B-100d', threads: 1 });
  });
  afterAll(async () => {
    await embedder.dispose?.();
  });

  it('describes itself from the model files', () => {
    expect({
      provider: embedder.provider,
      modelId: embedder.modelId,
      dimensions: embedder.dimensions,
      maxBatchSize: embedder.maxBatchSize,
    }).toEqual({ provider: 'onnx', modelId: 'glove-6B-100d', dimensions: 100, maxBatchSize: 32 });
  });

  it('returns unit-length vectors of 100 dimensions and counts tokens', async () => {
    const { embeddings, usage } = await embedder.doEmbed({ texts: ['king', 'the queen of hearts'] });
    expect(embeddings.map((vector) => vector.length)).toEqual([100, 100]);
    for (const vector of embeddings) expect(norm(vector)).toBeCloseTo(1, 5);
    expect(usage.tokens).toBe(5);
  });

  it('places related words nearer than unrelated ones', async () => {
    const { embeddings } = await embedder.doEmbed({ texts: ['king', 'queen', 'carrot'] });
    const [king = [], queen = [], carrot = []] = embeddings;
    expect(cosine(king, queen)).toBeGreaterThan(cosine(king, carrot));
  });

  it('places a paraphrase nearer than an unrelated sentence', async () => {
    const { embeddings } = await embedder.doEmbed({
      texts: [
        'How do I reset my password?',
        'What are the steps to change a forgotten password?',
        'The recipe needs two cups of flour and an egg.',
      ],
    });
    const [question = [], paraphrase = [], recipe = []] = embeddings;
    expect(cosine(question, paraphrase)).toBeGreaterThan(cosine(question, recipe));
  });

  it('embeds a text alone exactly as inside a batch of longer texts (padding does not leak)', async () => {
    const text = 'password reset';
    const alone = await embedder.doEmbed({ texts: [text] });
    const batched = await embedder.doEmbed({
      texts: [
        'a much longer sentence about cooking dinner with friends on a quiet sunday evening',
        text,
        'stock markets fell sharply after the central bank raised interest rates again',
      ],
    });
    const [aloneVector = []] = alone.embeddings;
    const batchedVector = batched.embeddings[1] ?? [];
    batchedVector.forEach((value, index) => expect(value).toBeCloseTo(aloneVector[index] ?? Number.NaN, 6));
  });

  it('prefixes queries only when a queryPrefix is set', async () => {
    const prefixed = await createOnnxEmbedder({ modelDir: gloveDir, queryPrefix: 'carrot carrot carrot ' });
    try {
      const asDocument = await prefixed.doEmbed({ texts: ['king'], inputType: 'document' });
      const asQuery = await prefixed.doEmbed({ texts: ['king'], inputType: 'query' });
      expect(asQuery.usage.tokens).toBe(asDocument.usage.tokens + 3);
      expect(asQuery.embeddings[0]).not.toEqual(asDocument.embeddings[0]);
    } finally {
      await prefixed.dispose?.();
    }
  });

  it('rejects a call larger than maxBatchSize, and an aborted signal', async () => {
    const tooMany = await embedder.doEmbed({ texts: Array<string>(33).fill('king') }).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(tooMany, 'EMBEDDING_INPUT_INVALID')).toBe(true);
    const aborted = await embedder
      .doEmbed({ texts: ['king'], signal: AbortSignal.abort() })
      .catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(aborted, 'MODEL_ABORTED')).toBe(true);
  });

  it('pools token_embeddings under the attention mask when asked for mean pooling', async () => {
    const meanEmbedder = await createOnnxEmbedder({ modelDir: gloveDir, pooling: 'mean' });
    try {
      const alone = await meanEmbedder.doEmbed({ texts: ['king'] });
      const batched = await meanEmbedder.doEmbed({ texts: ['king', 'a far longer text that forces padding'] });
      const pooled = await embedder.doEmbed({ texts: ['king'] });
      const [aloneVector = []] = alone.embeddings;
      expect(norm(aloneVector)).toBeCloseTo(1, 5);
      // One token: the plain mean and the model's SIF-weighted mean agree up to normalisation.
      expect(cosine(aloneVector, pooled.embeddings[0] ?? [])).toBeCloseTo(1, 5);
      (batched.embeddings[0] ?? []).forEach((value, index) => expect(value).toBeCloseTo(aloneVector[index] ?? Number.NaN, 6));
    } finally {
      await meanEmbedder.dispose?.();
    }
  });

  it('works through embedMany across several batches', async () => {
    const texts = Array.from({ length: 70 }, (_, index) => `text ${index}`);
    const { embeddings } = await embedMany(embedder, texts);
    expect(embeddings).toHaveLength(70);
  });
});

describe('createOnnxEmbedder load failures', () => {
  let scratchDir: string;
  beforeAll(async () => {
    scratchDir = await mkdtemp(path.join(tmpdir(), 'trellis-onnx-'));
  });
  afterAll(async () => {
    await rm(scratchDir, { recursive: true, force: true });
  });

  it('reports a missing model directory as MODEL_UNAVAILABLE', async () => {
    const missing = path.join(scratchDir, 'no-such-model');
    const error = await createOnnxEmbedder({ modelDir: missing }).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_UNAVAILABLE')).toBe(true);
    expect((error as TrellisError).details).toMatchObject({ path: missing });
  });

  it('reports a directory without model.onnx as MODEL_LOAD_FAILED', async () => {
    const modelDir = path.join(scratchDir, 'tokenizer-only');
    await copyModelFilesExceptOnnx(modelDir);
    const error = await createOnnxEmbedder({ modelDir }).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_LOAD_FAILED')).toBe(true);
  });

  it('reports a garbage model.onnx as MODEL_LOAD_FAILED naming the file, without crashing', async () => {
    const modelDir = path.join(scratchDir, 'garbage');
    await copyModelFilesExceptOnnx(modelDir);
    const modelPath = path.join(modelDir, 'model.onnx');
    await writeFile(modelPath, randomBytes(4096));
    const error = await createOnnxEmbedder({ modelDir }).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_LOAD_FAILED')).toBe(true);
    expect((error as TrellisError).details).toMatchObject({ path: modelPath });
  });

  async function copyModelFilesExceptOnnx(modelDir: string): Promise<void> {
    await mkdir(modelDir, { recursive: true });
    for (const file of ['tokenizer.json', 'tokenizer_config.json', 'config.json']) {
      await copyFile(path.join(gloveDir, file), path.join(modelDir, file));
    }
  }
});
