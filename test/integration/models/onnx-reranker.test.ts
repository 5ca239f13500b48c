import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import { createOnnxReranker } from '../../../core/models/onnx-reranker.js';
import type { Reranker } from '../../../core/models/types.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { writeTinyCrossEncoder } from '../../helpers/tiny-cross-encoder.js';

const QUERY = 'how do I reset my password';
const PASSAGES = [
  'The recipe needs two cups of flour.',
  'Reset your password from the login page.',
  'How do I reset my password? Open settings and reset the password.',
  'Passwords expire every ninety days.',
  'My cat sleeps all day.',
];

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  return TrellisError.isInstance(error) ? error.code : undefined;
}

describe('createOnnxReranker (tiny real ONNX cross-encoder)', () => {
  const temp = makeTempDir('trellis-reranker-');
  let reranker: Reranker;
  beforeAll(async () => {
    reranker = await createOnnxReranker({ modelDir: await writeTinyCrossEncoder(path.join(temp.dir, 'tiny')), modelId: 'tiny' });
  });
  afterAll(async () => {
    await reranker?.dispose?.();
    temp.remove();
  });

  it('describes itself', () => {
    expect({ provider: reranker.provider, modelId: reranker.modelId, maxBatchSize: reranker.maxBatchSize }).toEqual({
      provider: 'onnx',
      modelId: 'tiny',
      maxBatchSize: 16,
    });
  });

  it('feeds (query, passage) pairs with token types: the toy score counts passage tokens found in the query', async () => {
    const { scores } = await reranker.doRerank({ query: 'reset password', documents: ['reset your password', 'cats'] });
    // reset, password and the closing [SEP]; a pair fed without token types would score 0.
    expect(scores).toEqual([3, 1]);
  });

  it('ranks the passage sharing the most query words first', async () => {
    const { scores } = await reranker.doRerank({ query: QUERY, documents: PASSAGES });
    expect(scores).toHaveLength(PASSAGES.length);
    const best = scores.indexOf(Math.max(...scores));
    expect(PASSAGES[best]).toBe(PASSAGES[2]);
    expect(scores[1]).toBeGreaterThan(scores[0]!);
  });

  it('scores identically in batches of 2 and in one batch', async () => {
    const small = await createOnnxReranker({ modelDir: path.join(temp.dir, 'tiny'), maxBatchSize: 2 });
    try {
      const batched = await small.doRerank({ query: QUERY, documents: PASSAGES });
      const whole = await reranker.doRerank({ query: QUERY, documents: PASSAGES });
      expect(batched.scores).toEqual(whole.scores);
    } finally {
      await small.dispose?.();
    }
  });

  it('stops between batches when the signal aborts (MODEL_ABORTED)', async () => {
    const small = await createOnnxReranker({ modelDir: path.join(temp.dir, 'tiny'), maxBatchSize: 2 });
    const controller = new AbortController();
    const calls: number[] = [];
    // Abort while the first batch is being cut: it still runs, and the check before the second must stop there.
    const documents = new Proxy([...PASSAGES], {
      get(target, key, receiver) {
        if (key === 'slice') {
          return (start: number, end: number) => {
            calls.push(start);
            controller.abort();
            return target.slice(start, end);
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    try {
      expect(await codeOf(small.doRerank({ query: QUERY, documents, signal: controller.signal }))).toBe('MODEL_ABORTED');
      expect(calls).toEqual([0]);
      expect(await codeOf(small.doRerank({ query: QUERY, documents: PASSAGES, signal: AbortSignal.abort() }))).toBe('MODEL_ABORTED');
    } finally {
      await small.dispose?.();
    }
  });

  it('returns no scores for no documents', async () => {
    expect(await reranker.doRerank({ query: QUERY, documents: [] })).toEqual({ scores: [] });
  });

  it('reads a two-class head as the probability of class 1', async () => {
    const twoClass = await createOnnxReranker({ modelDir: await writeTinyCrossEncoder(path.join(temp.dir, 'two'), { classes: 2 }) });
    try {
      const { scores } = await twoClass.doRerank({ query: 'reset password', documents: ['reset your password', 'cats'] });
      expect(scores[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
      expect(scores[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    } finally {
      await twoClass.dispose?.();
    }
  });
});

describe('createOnnxReranker failures', () => {
  const temp = makeTempDir('trellis-reranker-bad-');
  afterAll(() => temp.remove());

  it('reports a missing directory as MODEL_UNAVAILABLE', async () => {
    expect(await codeOf(createOnnxReranker({ modelDir: path.join(temp.dir, 'absent') }))).toBe('MODEL_UNAVAILABLE');
  });

  it('reports a garbage model file as MODEL_LOAD_FAILED', async () => {
    const dir = await writeTinyCrossEncoder(path.join(temp.dir, 'garbage'));
    await writeFile(path.join(dir, 'onnx', 'model_quantized.onnx'), 'this is not a protobuf');
    expect(await codeOf(createOnnxReranker({ modelDir: dir }))).toBe('MODEL_LOAD_FAILED');
  });

  it('reports a directory without a model file as MODEL_LOAD_FAILED', async () => {
    const dir = path.join(temp.dir, 'tokenizer-only');
    await writeTinyCrossEncoder(dir);
    await mkdir(path.join(dir, 'elsewhere'));
    expect(await codeOf(createOnnxReranker({ modelDir: dir, modelFile: 'elsewhere/model.onnx' }))).toBe('MODEL_LOAD_FAILED');
  });
});
