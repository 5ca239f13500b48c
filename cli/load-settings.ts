import { loadConfig } from '../core/config.js';

/** The model-file settings that `trellis models` needs, without building a runtime. */
export async function loadAssetSettings(): Promise<{ modelsDir?: string; cacheDir: string; mirror: string }> {
  const { models } = loadConfig();
  return { modelsDir: models.dir, cacheDir: models.cacheDir, mirror: models.mirror };
}
