import path from 'node:path';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { TrellisError } from '../errors.js';
import { assertDirectoryExists, loadHfTokenizer, readJson } from './hf-tokenizer.js';
import { createOnnxSession, findOnnxModelFile, readTokenInputNames } from './onnx-session.js';
import type { EmbedOptions, EmbedResult, EmbeddingModel } from './types.js';

/** How token vectors become one text vector. */
export type OnnxPooling = 'cls' | 'mean' | 'auto';

/** Options for {@link createOnnxEmbedder}. */
export interface OnnxEmbedderOptions {
  /** Directory holding `model.onnx` (or `onnx/model.onnx`), `tokenizer.json` and usually `config.json`. */
  readonly modelDir: string;
  /** Name reported as `modelId`; defaults to the directory's base name. */
  readonly modelId?: string;
  /**
   * Intra-op threads for the ONNX session. Defaults to 1 so that several embedders, test workers and the chat
   * model do not oversubscribe the cores; raise it for a dedicated ingest process.
   */
  readonly threads?: number;
  /** Longest token sequence per text; defaults to tokenizer_config.json's `model_max_length`, capped at 512. */
  readonly maxLength?: number;
  /** Most texts per `doEmbed` call, and so per session run. Defaults to 32. */
  readonly maxBatchSize?: number;
  /**
   * `cls` takes the first token's vector, `mean` averages token vectors under the attention mask. `auto` (the
   * default) follows sentence-transformers' `1_Pooling/config.json` when present, else uses the model's own
   * `sentence_embedding` output when it has one, else `mean`.
   */
  readonly pooling?: OnnxPooling;
  /** Scale every vector to unit length, so that dot product equals cosine similarity. Defaults to true. */
  readonly normalize?: boolean;
  /**
   * Instruction prepended to texts embedded with `inputType: 'query'`, as asymmetric models expect, e.g. bge's
   * `'Represent this sentence for searching relevant passages: '`. Documents are never prefixed.
   */
  readonly queryPrefix?: string;
}

/** Which session output feeds the vectors, and how. */
type OutputPlan =
  | { readonly kind: 'pooled'; readonly outputName: string }
  | { readonly kind: 'tokens'; readonly outputName: string; readonly pooling: 'cls' | 'mean' };

const SENTENCE_OUTPUT = 'sentence_embedding';
const TOKEN_OUTPUTS = ['last_hidden_state', 'token_embeddings'];
const DEFAULT_MAX_LENGTH = 512;

/**
 * A local embedder: a Hugging Face tokenizer plus an ONNX encoder run by onnxruntime-node on the CPU. The session
 * is created here, so a missing or damaged model fails at startup rather than at the first query.
 *
 * Throws `MODEL_UNAVAILABLE` when `modelDir` does not exist and `MODEL_LOAD_FAILED` (naming the file) when a
 * file is missing or the ONNX model cannot be loaded.
 *
 * @example
 * const embedder = await createOnnxEmbedder({
 *   modelDir: 'models/bge-small-en-v1.5',
 *   threads: 2,
 *   queryPrefix: 'Represent this sentence for searching relevant passages: ',
 * });
 * const { embeddings } = await embedMany(embedder, ['first passage', 'second passage']);
 */
export async function createOnnxEmbedder(options: OnnxEmbedderOptions): Promise<EmbeddingModel> {
  const { modelDir, threads = 1, maxBatchSize = 32, pooling = 'auto', normalize = true, queryPrefix = '' } = options;
  const modelId = options.modelId ?? path.basename(path.resolve(modelDir));
  await assertDirectoryExists(modelDir);
  const tokenizer = await loadHfTokenizer(modelDir);
  const maxLength = options.maxLength ?? Math.min(tokenizer.modelMaxLength ?? DEFAULT_MAX_LENGTH, DEFAULT_MAX_LENGTH);
  const modelPath = await findOnnxModelFile(modelDir);
  const session = await createOnnxSession(modelPath, threads);

  let disposed = false;
  try {
    const plan = await planOutput(session, modelDir, pooling);
    const inputNames = readTokenInputNames(session, modelPath);
    const run = async (texts: readonly string[]): Promise<{ vectors: number[][]; tokens: number }> => {
      const batch = tokenizer.encodeBatch(texts, { maxLength });
      // Feed only what the graph declares: many exports (and the GloVe test model) take no token_type_ids.
      const feeds: Record<string, Tensor> = {};
      for (const name of inputNames) feeds[name] = new Tensor('int64', batch.tensors[name], batch.dims);
      const outputs = await session.run(feeds, [plan.outputName]);
      const output = outputs[plan.outputName];
      if (!output) throw new TrellisError('MODEL_OUTPUT_INVALID', `ONNX model ${modelPath} returned no ${plan.outputName}`);
      const vectors = toVectors(output, plan, batch.tensors.attention_mask);
      return { vectors: normalize ? vectors.map(normalizeVector) : vectors, tokens: sum(batch.tokenCounts) };
    };

    const dimensions = readStaticDimension(session, plan) ?? (await run(['dimensions'])).vectors[0]?.length ?? 0;

    return {
      provider: 'onnx',
      modelId,
      dimensions,
      maxBatchSize,
      async doEmbed({ texts, inputType = 'document', signal }: EmbedOptions): Promise<EmbedResult> {
        if (disposed) throw new TrellisError('MODEL_UNAVAILABLE', `embedder ${modelId} was disposed`);
        if (texts.length > maxBatchSize) {
          throw new TrellisError(
            'EMBEDDING_INPUT_INVALID',
            `${texts.length} texts exceed this embedder's maxBatchSize ${maxBatchSize}; call embedMany to batch them`,
            { details: { count: texts.length, maxBatchSize } },
          );
        }
        throwIfAborted(signal, modelId);
        const prefixed = inputType === 'query' && queryPrefix ? texts.map((text) => queryPrefix + text) : texts;
        try {
          const { vectors, tokens } = await run(prefixed);
          return { embeddings: vectors, usage: { tokens } };
        } catch (error) {
          if (TrellisError.isInstance(error)) throw error;
          throw new TrellisError('MODEL_CALL_FAILED', `ONNX inference with ${modelId} failed`, {
            cause: error,
            details: { provider: 'onnx', modelId },
          });
        }
      },
      async dispose() {
        if (disposed) return;
        disposed = true;
        await session.release();
      },
    };
  } catch (error) {
    await session.release();
    throw error;
  }
}

async function planOutput(session: InferenceSession, modelDir: string, pooling: OnnxPooling): Promise<OutputPlan> {
  const names = session.outputNames;
  const tokenOutput =
    TOKEN_OUTPUTS.find((name) => names.includes(name)) ??
    session.outputMetadata.find((metadata) => metadata.isTensor && metadata.shape.length === 3)?.name;
  const sentenceOutput = names.includes(SENTENCE_OUTPUT) ? SENTENCE_OUTPUT : undefined;
  const chosen =
    pooling === 'auto'
      ? ((await readSentenceTransformersPooling(modelDir)) ?? (sentenceOutput ? 'pooled' : 'mean'))
      : pooling;

  if (chosen !== 'pooled' && tokenOutput) return { kind: 'tokens', outputName: tokenOutput, pooling: chosen };
  // A model exported with its pooling baked in may expose no token output at all; its own pooling then wins.
  if (sentenceOutput && (pooling === 'auto' || !tokenOutput)) return { kind: 'pooled', outputName: sentenceOutput };
  throw new TrellisError(
    'MODEL_LOAD_FAILED',
    `ONNX model in ${modelDir} has no output to pool with '${chosen}'; outputs: ${names.join(', ')}`,
    { details: { path: modelDir, outputs: names } },
  );
}

/** Reads sentence-transformers' pooling choice; undefined when the model directory has none. */
async function readSentenceTransformersPooling(modelDir: string): Promise<'cls' | 'mean' | undefined> {
  const configPath = path.join(modelDir, '1_Pooling', 'config.json');
  const config = (await readJson(configPath)) as Record<string, unknown> | undefined;
  if (config === undefined) return undefined;
  if (config.pooling_mode_cls_token === true) return 'cls';
  if (config.pooling_mode_mean_tokens === true) return 'mean';
  const modes = Object.keys(config).filter((key) => key.startsWith('pooling_mode_') && config[key] === true);
  throw new TrellisError(
    'MODEL_LOAD_FAILED',
    `${configPath} asks for pooling ${modes.join(', ') || 'none'}; Trellis supports cls and mean`,
    { details: { path: configPath } },
  );
}

function readStaticDimension(session: InferenceSession, plan: OutputPlan): number | undefined {
  const metadata = session.outputMetadata.find((candidate) => candidate.name === plan.outputName);
  const last = metadata?.isTensor ? metadata.shape.at(-1) : undefined;
  return typeof last === 'number' && last > 0 ? last : undefined;
}

function toVectors(output: Tensor, plan: OutputPlan, attentionMask: BigInt64Array): number[][] {
  const data = output.data as Float32Array;
  const [batchSize = 0] = output.dims;
  const dimension = output.dims.at(-1) ?? 0;
  if (plan.kind === 'pooled') {
    return Array.from({ length: batchSize }, (_, row) => Array.from(data.subarray(row * dimension, (row + 1) * dimension)));
  }
  const sequenceLength = output.dims[1] ?? 0;
  return Array.from({ length: batchSize }, (_, row) => {
    const rowOffset = row * sequenceLength * dimension;
    if (plan.pooling === 'cls') return Array.from(data.subarray(rowOffset, rowOffset + dimension));
    // Padding positions carry real activations; only the mask keeps them out of the mean.
    const vector = new Array<number>(dimension).fill(0);
    let count = 0;
    for (let position = 0; position < sequenceLength; position++) {
      if (attentionMask[row * sequenceLength + position] === 0n) continue;
      count++;
      const offset = rowOffset + position * dimension;
      for (let index = 0; index < dimension; index++) vector[index]! += data[offset + index]!;
    }
    return vector.map((value) => value / Math.max(count, 1));
  });
}

function normalizeVector(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((total, value) => total + value * value, 0));
  // An all-padding or all-unknown text yields a zero vector; leave it rather than divide by zero.
  return norm > 0 ? vector.map((value) => value / norm) : vector;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function throwIfAborted(signal: AbortSignal | undefined, modelId: string): void {
  if (signal?.aborted) {
    throw new TrellisError('MODEL_ABORTED', `embedding with ${modelId} was cancelled`, { cause: signal.reason });
  }
}
