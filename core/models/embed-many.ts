import { Embeddings, type EmbeddingsParams } from '@langchain/core/embeddings';
import { TrellisError } from '../errors.js';
import type { EmbedResult, EmbeddingModel } from './types.js';

/** Progress after each finished batch. */
export interface EmbedProgress {
  /** Texts embedded so far. */
  readonly done: number;
  readonly total: number;
}

/** Options for {@link embedMany}. */
export interface EmbedManyOptions {
  /** Passed to every batch; asymmetric models prefix queries. Defaults to 'document'. */
  readonly inputType?: 'query' | 'document';
  /** Most texts per model call; the model's own `maxBatchSize` caps it. */
  readonly batchSize?: number;
  /** Checked before each batch; an aborted signal stops the run with `MODEL_ABORTED`. */
  readonly signal?: AbortSignal;
  /** Called after each batch. */
  readonly onProgress?: (progress: EmbedProgress) => void;
}

/** What {@link embedMany} returns. */
export interface EmbedManyResult {
  /** One vector per input text, in input order. */
  readonly embeddings: readonly number[][];
  /** Tokens over all batches, as each model counts them. */
  readonly usage: { readonly tokens: number };
}

/**
 * Embeds any number of texts with one model: validates the input, splits it into batches the model accepts,
 * reports progress, stops between batches when `signal` aborts, and checks that every vector has the model's
 * length.
 *
 * Throws `EMBEDDING_INPUT_INVALID` for an empty list or a non-string item, `MODEL_ABORTED` when cancelled and
 * `MODEL_OUTPUT_INVALID` when the model returns the wrong number or length of vectors.
 *
 * @example
 * const { embeddings, usage } = await embedMany(embedder, chunks.map((chunk) => chunk.text), {
 *   onProgress: ({ done, total }) => bar.update(done, { total }),
 * });
 */
export async function embedMany(
  model: EmbeddingModel,
  texts: readonly string[],
  options: EmbedManyOptions = {},
): Promise<EmbedManyResult> {
  const { inputType, signal, onProgress } = options;
  validateTexts(texts);
  const batchSize = Math.min(options.batchSize ?? model.maxBatchSize, model.maxBatchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TrellisError('EMBEDDING_INPUT_INVALID', `batch size ${batchSize} is not a positive integer`, {
      details: { batchSize, maxBatchSize: model.maxBatchSize },
    });
  }

  const embeddings: number[][] = [];
  let tokens = 0;
  // Batches started and not yet taken in, oldest first; results are taken in input order whatever the window.
  const window: { size: number; result: Promise<EmbedResult> }[] = [];
  const windowSize = model.supportsParallelCalls ? PARALLEL_CALLS : 1;
  for (let start = 0; start < texts.length || window.length > 0; ) {
    if (start < texts.length && window.length < windowSize) {
      if (signal?.aborted) {
        throw new TrellisError('MODEL_ABORTED', `embedding cancelled after ${embeddings.length} of ${texts.length} texts`, {
          cause: signal.reason,
          details: { done: embeddings.length, total: texts.length },
        });
      }
      const batch = texts.slice(start, start + batchSize);
      const result = model.doEmbed({ texts: batch, inputType, signal });
      // Awaited below in order; until then a failure must not count as unhandled.
      result.catch(() => undefined);
      window.push({ size: batch.length, result });
      start += batch.length;
      continue;
    }
    const { size, result } = window.shift()!;
    const { embeddings: vectors, usage } = await result;
    checkBatch(model, size, vectors);
    embeddings.push(...vectors);
    tokens += usage.tokens;
    onProgress?.({ done: embeddings.length, total: texts.length });
  }
  return { embeddings, usage: { tokens } };
}

/** Calls outstanding at once for a model that supports parallel calls: enough to keep its queue from running dry. */
const PARALLEL_CALLS = 4;

function validateTexts(texts: unknown): asserts texts is readonly string[] {
  if (!Array.isArray(texts) || texts.length === 0) {
    throw new TrellisError('EMBEDDING_INPUT_INVALID', 'expected a non-empty list of texts to embed', {
      details: { count: Array.isArray(texts) ? 0 : null },
    });
  }
  const badIndex = texts.findIndex((text) => typeof text !== 'string');
  if (badIndex !== -1) {
    throw new TrellisError(
      'EMBEDDING_INPUT_INVALID',
      `text ${badIndex} is a ${typeof texts[badIndex]}, not a string`,
      { details: { index: badIndex } },
    );
  }
}

function checkBatch(model: EmbeddingModel, expected: number, vectors: readonly number[][]): void {
  if (vectors.length !== expected) {
    throw new TrellisError(
      'MODEL_OUTPUT_INVALID',
      `${model.provider} model ${model.modelId} returned ${vectors.length} vectors for ${expected} texts`,
      { details: { provider: model.provider, modelId: model.modelId, expected, received: vectors.length } },
    );
  }
  // Read after the call: a remote model may learn its dimensions from its first response.
  const dimensions = model.dimensions;
  const wrong = vectors.find((vector) => vector.length !== dimensions);
  if (wrong !== undefined) {
    throw new TrellisError(
      'MODEL_OUTPUT_INVALID',
      `${model.provider} model ${model.modelId} returned a vector of length ${wrong.length}, expected ${dimensions}`,
      { details: { provider: model.provider, modelId: model.modelId, expected: dimensions, received: wrong.length } },
    );
  }
}

/**
 * An {@link EmbeddingModel} as a LangChain `Embeddings`, for LangChain vector stores and retrievers. Batching and
 * validation go through {@link embedMany}; queries are embedded with `inputType: 'query'`.
 *
 * @example
 * const store = await Chroma.fromDocuments(documents, new TrellisEmbeddings(embedder), { collectionName: 'docs' });
 */
export class TrellisEmbeddings extends Embeddings {
  readonly model: EmbeddingModel;

  constructor(model: EmbeddingModel, params: EmbeddingsParams = {}) {
    super(params);
    this.model = model;
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    // LangChain stores call this with an empty list when there is nothing to add; embedMany would reject it.
    if (documents.length === 0) return [];
    const { embeddings } = await embedMany(this.model, documents, { inputType: 'document' });
    return [...embeddings];
  }

  override async embedQuery(document: string): Promise<number[]> {
    const { embeddings } = await embedMany(this.model, [document], { inputType: 'query' });
    return embeddings[0] ?? [];
  }
}
