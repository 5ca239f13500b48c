import { access } from 'node:fs/promises';
import path from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { TrellisError } from '../errors.js';
import type { TokenizedBatch } from './hf-tokenizer.js';

/** An ONNX input that a {@link TokenizedBatch} can feed. */
export type TokenInput = keyof TokenizedBatch['tensors'];

/** Where Hugging Face exports put the graph, in the order Trellis looks. */
export const DEFAULT_MODEL_FILES: readonly string[] = ['model.onnx', path.join('onnx', 'model.onnx')];

/**
 * Finds the ONNX graph in a model directory: the first of `candidates` (paths relative to `modelDir`) that exists.
 * Throws `MODEL_LOAD_FAILED` naming every path it tried.
 */
export async function findOnnxModelFile(
  modelDir: string,
  candidates: readonly string[] = DEFAULT_MODEL_FILES,
): Promise<string> {
  const paths = candidates.map((candidate) => path.join(modelDir, candidate));
  for (const candidate of paths) {
    if (await access(candidate).then(() => true, () => false)) return candidate;
  }
  throw new TrellisError('MODEL_LOAD_FAILED', `no ONNX model in ${modelDir}; looked for ${paths.join(' and ')}`, {
    details: { path: modelDir, looked: paths },
  });
}

/**
 * Opens a CPU session with `threads` intra-op threads and nothing else running in parallel, so several models in
 * one process do not oversubscribe the cores. Throws `MODEL_LOAD_FAILED` when the file is not a loadable model.
 */
export async function createOnnxSession(modelPath: string, threads: number): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // ONNX Runtime's pool threads otherwise spin between runs, waiting for the next one: on a small machine that
      // burnt more CPU than the runs themselves (an ingest went from 5.3 to 8 CPU-seconds with 2 threads) and took
      // it from the work the runs overlap with. Idle threads sleep instead; a run wakes them.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (error) {
    throw new TrellisError('MODEL_LOAD_FAILED', `cannot load ONNX model ${modelPath}`, {
      cause: error,
      details: { path: modelPath },
    });
  }
}

/**
 * The session's inputs, checked to be ones a tokenizer fills. Many exports take no `token_type_ids`, so callers
 * feed exactly these. Throws `MODEL_LOAD_FAILED` for any other input.
 */
export function readTokenInputNames(session: InferenceSession, modelPath: string): readonly TokenInput[] {
  return session.inputNames.map((name) => {
    if (name === 'input_ids' || name === 'attention_mask' || name === 'token_type_ids') return name;
    throw new TrellisError('MODEL_LOAD_FAILED', `ONNX model ${modelPath} expects input ${name}, which Trellis cannot feed`, {
      details: { path: modelPath, inputs: session.inputNames },
    });
  });
}
