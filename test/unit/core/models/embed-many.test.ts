import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../../core/errors.js';
import { TrellisEmbeddings, embedMany, type EmbedProgress } from '../../../../core/models/embed-many.js';
import type { EmbedOptions, EmbedResult, EmbeddingModel } from '../../../../core/models/types.js';

/** A spec-true embedder that records its calls; each vector encodes its text's length and the input type. */
class RecordingEmbeddingModel implements EmbeddingModel {
  readonly provider = 'recording';
  readonly modelId = 'recording-3d';
  readonly doEmbedCalls: EmbedOptions[] = [];

  constructor(
    readonly maxBatchSize = 4,
    readonly dimensions = 3,
    private readonly returnedDimensions = dimensions,
    private readonly beforeReturn: (callIndex: number) => void = () => {},
  ) {}

  async doEmbed(options: EmbedOptions): Promise<EmbedResult> {
    this.doEmbedCalls.push(options);
    this.beforeReturn(this.doEmbedCalls.length - 1);
    const embeddings = options.texts.map((text) => {
      const vector = Array<number>(this.returnedDimensions).fill(0);
      vector[0] = text.length;
      vector[1] = options.inputType === 'query' ? 1 : 0;
      return vector;
    });
    return { embeddings, usage: { tokens: options.texts.length * 2 } };
  }
}

const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff', 'ggggggg'];

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  return TrellisError.isInstance(error) ? error.code : undefined;
}

describe('embedMany', () => {
  describe('batching', () => {
    it('splits into batches of the model’s maxBatchSize by default, in order', async () => {
      const model = new RecordingEmbeddingModel(3);
      const { embeddings } = await embedMany(model, texts);
      expect(model.doEmbedCalls.map((call) => call.texts)).toEqual([
        ['a', 'bb', 'ccc'],
        ['dddd', 'eeeee', 'ffffff'],
        ['ggggggg'],
      ]);
      expect(embeddings.map((vector) => vector[0])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    });

    it('uses a smaller batchSize when asked, but never more than the model takes', async () => {
      const smaller = new RecordingEmbeddingModel(4);
      await embedMany(smaller, texts, { batchSize: 2 });
      expect(smaller.doEmbedCalls.map((call) => call.texts.length)).toEqual([2, 2, 2, 1]);

      const capped = new RecordingEmbeddingModel(4);
      await embedMany(capped, texts, { batchSize: 100 });
      expect(capped.doEmbedCalls.map((call) => call.texts.length)).toEqual([4, 3]);
    });

    it('passes inputType and signal to every call', async () => {
      const model = new RecordingEmbeddingModel(4);
      const { signal } = new AbortController();
      await embedMany(model, texts, { inputType: 'query', signal });
      expect(model.doEmbedCalls.map((call) => [call.inputType, call.signal])).toEqual([
        ['query', signal],
        ['query', signal],
      ]);
    });
  });

  describe('result.usage', () => {
    it('sums the tokens of all batches', async () => {
      const { usage } = await embedMany(new RecordingEmbeddingModel(3), texts);
      expect(usage).toEqual({ tokens: 14 });
    });
  });

  describe('onProgress', () => {
    it('reports after each batch', async () => {
      const events: EmbedProgress[] = [];
      await embedMany(new RecordingEmbeddingModel(3), texts, { onProgress: (event) => events.push(event) });
      expect(events).toEqual([
        { done: 3, total: 7 },
        { done: 6, total: 7 },
        { done: 7, total: 7 },
      ]);
    });
  });

  describe('signal', () => {
    it('stops between batches once aborted', async () => {
      const controller = new AbortController();
      const model = new RecordingEmbeddingModel(3, 3, 3, (callIndex) => {
        if (callIndex === 0) controller.abort();
      });
      expect(await codeOf(embedMany(model, texts, { signal: controller.signal }))).toBe('MODEL_ABORTED');
      expect(model.doEmbedCalls).toHaveLength(1);
    });

    it('makes no call when already aborted', async () => {
      const model = new RecordingEmbeddingModel();
      expect(await codeOf(embedMany(model, texts, { signal: AbortSignal.abort() }))).toBe('MODEL_ABORTED');
      expect(model.doEmbedCalls).toHaveLength(0);
    });
  });

  describe('input validation', () => {
    it.each([
      ['an empty list', []],
      ['a non-string item', ['fine', 42]],
      ['a null item', [null]],
      ['not a list', 'just a string'],
    ])('rejects %s with EMBEDDING_INPUT_INVALID and makes no call', async (_name, input) => {
      const model = new RecordingEmbeddingModel();
      expect(await codeOf(embedMany(model, input as string[]))).toBe('EMBEDDING_INPUT_INVALID');
      expect(model.doEmbedCalls).toHaveLength(0);
    });

    it('rejects a batchSize below 1', async () => {
      expect(await codeOf(embedMany(new RecordingEmbeddingModel(), texts, { batchSize: 0 }))).toBe(
        'EMBEDDING_INPUT_INVALID',
      );
    });
  });

  describe('output checks', () => {
    it('rejects vectors whose length differs from model.dimensions', async () => {
      const model = new RecordingEmbeddingModel(4, 3, 5);
      const error = await embedMany(model, texts).catch((caught: unknown) => caught);
      expect(TrellisError.isInstance(error, 'MODEL_OUTPUT_INVALID')).toBe(true);
      expect((error as TrellisError).details).toMatchObject({ expected: 3, received: 5 });
    });
  });
});

describe('TrellisEmbeddings', () => {
  it('embeds documents as documents, through the model’s batches', async () => {
    const model = new RecordingEmbeddingModel(2);
    const vectors = await new TrellisEmbeddings(model).embedDocuments(['a', 'bb', 'ccc']);
    expect(vectors).toEqual([
      [1, 0, 0],
      [2, 0, 0],
      [3, 0, 0],
    ]);
    expect(model.doEmbedCalls.map((call) => [call.texts, call.inputType])).toEqual([
      [['a', 'bb'], 'document'],
      [['ccc'], 'document'],
    ]);
  });

  it('embeds a query with inputType query', async () => {
    const model = new RecordingEmbeddingModel();
    expect(await new TrellisEmbeddings(model).embedQuery('where?')).toEqual([6, 1, 0]);
  });

  it('answers an empty document list without calling the model', async () => {
    const model = new RecordingEmbeddingModel();
    expect(await new TrellisEmbeddings(model).embedDocuments([])).toEqual([]);
    expect(model.doEmbedCalls).toHaveLength(0);
  });
});
