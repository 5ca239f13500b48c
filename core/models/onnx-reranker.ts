import path from 'node:path';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { TrellisError } from '../errors.js';
import { assertDirectoryExists, loadHfTokenizer } from './hf-tokenizer.js';
import { createOnnxSession, DEFAULT_MODEL_FILES, findOnnxModelFile, readTokenInputNames } from './onnx-session.js';
import type { Reranker, RerankOptions, RerankResult } from './types.js';

/** Options for {@link createOnnxReranker}. */
export interface OnnxRerankerOptions {
  /** Directory holding the ONNX cross-encoder, `tokenizer.json` and usually `tokenizer_config.json`. */
  readonly modelDir: string;
  /**
   * The graph, relative to `modelDir` (a catalogue asset's `model`, e.g. `onnx/model_quantized.onnx`). Defaults to
   * the first of `model.onnx`, `onnx/model.onnx` and `onnx/model_quantized.onnx` that exists.
   */
  readonly modelFile?: string;
  /** Name reported as `modelId`; defaults to the directory's base name. */
  readonly modelId?: string;
  /** Intra-op threads for the ONNX session; defaults to 1 (see the embedder's `threads`). */
  readonly threads?: number;
  /** Longest (query, passage) sequence; defaults to tokenizer_config.json's `model_max_length`, capped at 512. */
  readonly maxLength?: number;
  /** Most pairs per session run; `doRerank` splits longer lists and checks its signal between runs. Defaults to 16. */
  readonly maxBatchSize?: number;
}

const LOGITS = 'logits';
const DEFAULT_MAX_LENGTH = 512;
const MODEL_FILES: readonly string[] = [...DEFAULT_MODEL_FILES, path.join('onnx', 'model_quantized.onnx')];

/**
 * A local cross-encoder reranker: each (query, passage) pair is tokenized as one sequence (`[CLS] q [SEP] p [SEP]`
 * for BERT) and scored by an ONNX sequence-classification model run on the CPU. A `logits` output of shape
 * `[batch, 1]` is the score itself (MS MARCO cross-encoders); `[batch, 2]` scores the softmax probability of
 * class 1 ("relevant"). The session is created here, so a missing or damaged model fails at start-up.
 *
 * Throws `MODEL_UNAVAILABLE` when `modelDir` does not exist and `MODEL_LOAD_FAILED` when a file is missing, the
 * model cannot be loaded or it has no usable `logits` output.
 *
 * @example
 * const reranker = await createOnnxReranker({ modelDir: 'models/ms-marco-minilm-l6-v2', modelFile: 'onnx/model_quantized.onnx' });
 * const { scores } = await reranker.doRerank({ query: 'reset password', documents: passages });
 */
export async function createOnnxReranker(options: OnnxRerankerOptions): Promise<Reranker> {
  const { modelDir, threads = 1, maxBatchSize = 16 } = options;
  const modelId = options.modelId ?? path.basename(path.resolve(modelDir));
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
    throw new TrellisError('CONFIG_INVALID', `reranker maxBatchSize must be a positive integer, not ${maxBatchSize}`);
  }
  await assertDirectoryExists(modelDir);
  const tokenizer = await loadHfTokenizer(modelDir);
  const maxLength = options.maxLength ?? Math.min(tokenizer.modelMaxLength ?? DEFAULT_MAX_LENGTH, DEFAULT_MAX_LENGTH);
  const modelPath = await findOnnxModelFile(modelDir, options.modelFile ? [options.modelFile] : MODEL_FILES);
  const session = await createOnnxSession(modelPath, threads);

  let disposed = false;
  try {
    const inputNames = readTokenInputNames(session, modelPath);
    assertLogitsOutput(session, modelPath);

    const scoreBatch = async (query: string, documents: readonly string[]): Promise<number[]> => {
      const batch = tokenizer.encodePairs(
        documents.map((document) => ({ first: query, second: document })),
        { maxLength },
      );
      const feeds: Record<string, Tensor> = {};
      for (const name of inputNames) feeds[name] = new Tensor('int64', batch.tensors[name], batch.dims);
      const output = (await session.run(feeds, [LOGITS]))[LOGITS];
      if (!output) throw new TrellisError('MODEL_OUTPUT_INVALID', `ONNX model ${modelPath} returned no ${LOGITS}`);
      return toScores(output, documents.length, modelPath);
    };

    return {
      provider: 'onnx',
      modelId,
      maxBatchSize,
      async doRerank({ query, documents, signal }: RerankOptions): Promise<RerankResult> {
        if (disposed) throw new TrellisError('MODEL_UNAVAILABLE', `reranker ${modelId} was disposed`);
        const scores: number[] = [];
        for (let start = 0; start < documents.length; start += maxBatchSize) {
          // Checked before every run: a run cannot be interrupted, so this bounds the wasted work to one batch.
          if (signal?.aborted) {
            throw new TrellisError('MODEL_ABORTED', `reranking with ${modelId} was cancelled`, { cause: signal.reason });
          }
          try {
            scores.push(...(await scoreBatch(query, documents.slice(start, start + maxBatchSize))));
          } catch (error) {
            if (TrellisError.isInstance(error)) throw error;
            throw new TrellisError('MODEL_CALL_FAILED', `ONNX inference with ${modelId} failed`, {
              cause: error,
              details: { provider: 'onnx', modelId },
            });
          }
        }
        return { scores };
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

function assertLogitsOutput(session: InferenceSession, modelPath: string): void {
  if (session.outputNames.includes(LOGITS)) return;
  throw new TrellisError(
    'MODEL_LOAD_FAILED',
    `ONNX model ${modelPath} has no ${LOGITS} output, so it is not a cross-encoder; outputs: ${session.outputNames.join(', ')}`,
    { details: { path: modelPath, outputs: session.outputNames } },
  );
}

/** One score per row: the single logit, or the probability of class 1 when the head has two classes. */
function toScores(output: Tensor, rows: number, modelPath: string): number[] {
  const classes = output.dims.length === 2 && output.dims[0] === rows ? output.dims[1] : undefined;
  if (classes !== 1 && classes !== 2) {
    throw new TrellisError(
      'MODEL_OUTPUT_INVALID',
      `ONNX model ${modelPath} returned ${LOGITS} of shape [${output.dims.join(', ')}]; expected [${rows}, 1] or [${rows}, 2]`,
      { details: { path: modelPath, shape: `[${output.dims.join(', ')}]` } },
    );
  }
  const data = output.data as Float32Array;
  return Array.from({ length: rows }, (_, row) => {
    if (classes === 1) return data[row]!;
    // softmax(l0, l1)[1] = sigmoid(l1 - l0), which cannot overflow for large logits.
    return 1 / (1 + Math.exp(data[row * 2]! - data[row * 2 + 1]!));
  });
}
