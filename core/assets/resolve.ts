import { TrellisError } from '../errors.js';
import { ASSET_CATALOGUE, findAsset } from './catalogue.js';
import { assetFilePaths, locateAsset } from './locate.js';
import { DEFAULT_MIRROR, modelUnavailable, pullAsset, type PullAssetOptions } from './pull.js';

export interface ResolveAssetOptions extends PullAssetOptions {
  /** Download the asset into the cache when it is found nowhere. Defaults to false. */
  readonly download?: boolean;
}

/** Where an asset was found, and the absolute path of each of its files. */
export interface ResolvedAsset {
  readonly name: string;
  readonly dir: string;
  readonly source: 'models-dir' | 'cache' | 'download';
  /** Absolute path of every file, keyed by its catalogue path (e.g. `onnx/model.onnx`). */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * Finds a catalogue asset's files: `<modelsDir>/<name>/` first (user-provided, trusted as they are, but every file
 * must exist), then `<cacheDir>/<name>/` (verified when downloaded), then a download into the cache when
 * `download` is set.
 *
 * @example
 * const asset = await resolveAsset('bge-small-en-v1.5', { cacheDir, mirror: 'https://huggingface.co', download: true });
 * const onnxPath = asset.files['onnx/model.onnx'];
 *
 * @throws TrellisError ASSET_UNKNOWN (lists the names that exist); MODEL_UNAVAILABLE when the files are not here and
 *   may not or cannot be downloaded, its hint naming `trellis models pull <name>`; the errors of `pullAsset`.
 */
export async function resolveAsset(name: string, options: ResolveAssetOptions): Promise<ResolvedAsset> {
  const entry = findAsset(name, options.catalogue ?? ASSET_CATALOGUE);
  const placement = await locateAsset(entry, options);
  if (placement?.source === 'models-dir') {
    if (placement.missing.length > 0) {
      const message = `model ${name} in ${placement.dir} lacks ${placement.missing.join(', ')}`;
      throw new TrellisError('MODEL_UNAVAILABLE', message, {
        hint: `Copy the missing files into ${placement.dir}, or remove it and run \`trellis models pull ${name}\`.`,
        details: { name, dir: placement.dir, missing: placement.missing },
      });
    }
    return { name, dir: placement.dir, source: 'models-dir', files: assetFilePaths(placement.dir, entry) };
  }
  if (placement?.source === 'cache' && placement.missing.length === 0) {
    return { name, dir: placement.dir, source: 'cache', files: assetFilePaths(placement.dir, entry) };
  }
  if (!options.download) {
    const looked = [options.modelsDir, options.cacheDir].filter((dir) => dir !== undefined).join(' and ');
    const reason = `its files are not in ${looked} and downloads are off`;
    throw modelUnavailable(name, reason, { mirror: options.mirror ?? DEFAULT_MIRROR });
  }
  const pulled = await pullAsset(name, options);
  return { ...pulled, source: 'download' };
}
