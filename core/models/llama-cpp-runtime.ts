import { access } from 'node:fs/promises';
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from 'node-llama-cpp';
import { TrellisError, toTrellisError } from '../errors.js';

let llamaPromise: Promise<Llama> | undefined;

/** The process's one llama.cpp runtime: each getLlama() would load the native backend again. */
export function loadLlama(): Promise<Llama> {
  llamaPromise ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error }).catch((error: unknown) => {
    llamaPromise = undefined;
    throw toTrellisError(error, 'MODEL_LOAD_FAILED', 'cannot start the llama.cpp runtime');
  });
  return llamaPromise;
}

interface SharedModel {
  readonly model: Promise<LlamaModel>;
  users: number;
}

// Weights are shared per file: two chat models over one GGUF must not hold two copies in memory.
const sharedModels = new Map<string, SharedModel>();

/** The loaded model of a GGUF file, shared by every caller until each has called {@link releaseModel}. */
export async function acquireModel(modelPath: string): Promise<LlamaModel> {
  let shared = sharedModels.get(modelPath);
  if (!shared) {
    const model = loadModel(modelPath);
    const entry: SharedModel = { model, users: 0 };
    model.catch(() => sharedModels.get(modelPath) === entry && sharedModels.delete(modelPath));
    shared = entry;
    sharedModels.set(modelPath, shared);
  }
  shared.users += 1;
  return shared.model;
}

/** Gives back a model taken with {@link acquireModel}; the last release frees its weights. */
export async function releaseModel(modelPath: string): Promise<void> {
  const shared = sharedModels.get(modelPath);
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  sharedModels.delete(modelPath);
  const model = await shared.model.catch(() => undefined);
  await model?.dispose();
}

async function loadModel(modelPath: string): Promise<LlamaModel> {
  try {
    await access(modelPath);
  } catch (error) {
    throw new TrellisError('MODEL_UNAVAILABLE', `GGUF file ${modelPath} does not exist or is unreadable`, {
      cause: error,
      hint: 'Check modelPath, or run `trellis models pull` to download the model.',
    });
  }
  const llama = await loadLlama();
  try {
    return await llama.loadModel({ modelPath });
  } catch (error) {
    throw toTrellisError(error, 'MODEL_LOAD_FAILED', `cannot load ${modelPath}`);
  }
}
