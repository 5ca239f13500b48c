import { loadConfig, type TrellisConfigOverrides } from '../../core/config.js';
import { createRuntime, type Runtime } from '../../runtime/create-runtime.js';
import { makeTempDir } from './temp-dir.js';

/**
 * A runtime on a throwaway data dir, configured only by `overrides` (the machine's TRELLIS_* and provider
 * variables are ignored, so a developer's OPENAI_API_KEY cannot change what a test sees).
 */
export async function createTestRuntime(
  overrides: TrellisConfigOverrides = {},
  options: { readonly dataDir?: string } = {},
): Promise<Runtime & { readonly dataDir: string; dispose(): Promise<void> }> {
  // A given data dir belongs to the test (several runtimes may share it); a made one is removed on dispose.
  const temp = options.dataDir ? { dir: options.dataDir, remove: () => undefined } : makeTempDir();
  const config = loadConfig({
    env: {},
    cwd: temp.dir,
    overrides: {
      dataDir: temp.dir,
      logLevel: 'silent',
      ...overrides,
      // Vectors are off unless a test asks for them: each Chroma sidecar costs a process and a second of start-up.
      stores: { vector: { provider: 'none' }, ...overrides.stores },
      // Reranking is off unless asked for: its catalogue model would be downloaded on first search.
      models: { cacheDir: `${temp.dir}/cache`, threads: 1, reranker: { provider: 'none' }, ...overrides.models },
    },
  });
  const runtime = await createRuntime({ config });
  await runtime.start();
  return Object.assign(runtime, {
    dataDir: temp.dir,
    async dispose() {
      await runtime.stop();
      temp.remove();
    },
  });
}
