import type { TrellisConfig } from '../config.js';
import { findAsset, type AssetEntry, type AssetKind } from '../assets/catalogue.js';
import { resolveAsset } from '../assets/resolve.js';
import { TrellisError } from '../errors.js';
import type { Logger } from '../logger.js';

/** A catalogue model of the expected kind, found in the models dir or cache, or downloaded when allowed. */
export async function resolveCatalogueModel<Kind extends AssetKind>(
  config: TrellisConfig,
  options: { name: string; kind: Kind; download: boolean; logger: Logger },
): Promise<{ entry: Extract<AssetEntry, { kind: Kind }>; dir: string; files: Readonly<Record<string, string>> }> {
  const entry = findAsset(options.name);
  if (entry.kind !== options.kind) {
    throw new TrellisError('CONFIG_INVALID', `models.${options.kind}.model = ${entry.name} is a ${entry.kind} model, not a ${options.kind} model`);
  }
  const asset = await resolveAsset(entry.name, {
    modelsDir: config.models.dir,
    cacheDir: config.models.cacheDir,
    mirror: config.models.mirror,
    download: options.download,
    onProgress: (event) => options.logger.debug(event, `downloading ${options.kind} model`),
  });
  return { entry: entry as Extract<AssetEntry, { kind: Kind }>, dir: asset.dir, files: asset.files };
}
