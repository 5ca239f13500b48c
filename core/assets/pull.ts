import { rm } from 'node:fs/promises';
import path from 'node:path';
import { TrellisError } from '../errors.js';
import { ASSET_CATALOGUE, findAsset } from './catalogue.js';
import { downloadFile, isUnreachableError, type DownloadProgress } from './download.js';
import { hashFile } from './hash-file.js';
import { assetFilePath, assetFilePaths, fileSize, type AssetLocationOptions } from './locate.js';

/** Download progress of one file of a named asset. */
export interface AssetProgress extends DownloadProgress {
  readonly asset: string;
}

export interface PullAssetOptions extends AssetLocationOptions {
  /** Base URL that catalogue file URLs are relative to; defaults to https://huggingface.co. */
  readonly mirror?: string;
  readonly onProgress?: (event: AssetProgress) => void;
  readonly signal?: AbortSignal;
  /** Replaces the global fetch; a test seam. */
  readonly fetch?: typeof globalThis.fetch;
  /** Wait before the first retry of a transient failure, doubled before each later one. Defaults to 500 ms. */
  readonly retryDelayMs?: number;
}

/** An asset's folder and the absolute path of each of its files. */
export interface PulledAsset {
  readonly name: string;
  readonly dir: string;
  /** Absolute path of every file, keyed by its catalogue path (e.g. `onnx/model.onnx`). */
  readonly files: Readonly<Record<string, string>>;
}

export const DEFAULT_MIRROR = 'https://huggingface.co';

/**
 * Brings every file of an asset into `<cacheDir>/<name>/`, verified. Files already there are rehashed and kept
 * when they match (a damaged one is downloaded again); interrupted downloads resume from their `.part`.
 *
 * @throws TrellisError ASSET_UNKNOWN, MODEL_UNAVAILABLE (the mirror is unreachable), ASSET_DOWNLOAD_FAILED,
 *   ASSET_CHECKSUM_MISMATCH; each hint names `trellis models pull <name>`.
 */
export async function pullAsset(name: string, options: PullAssetOptions): Promise<PulledAsset> {
  const entry = findAsset(name, options.catalogue ?? ASSET_CATALOGUE);
  const mirror = options.mirror ?? DEFAULT_MIRROR;
  const dir = path.join(options.cacheDir, entry.name);
  for (const file of entry.files) {
    const destination = assetFilePath(dir, file.path);
    if ((await fileSize(destination)) === file.bytes) {
      if ((await hashFile(destination)).sha256 === file.sha256) {
        options.onProgress?.({ asset: entry.name, file: file.path, receivedBytes: file.bytes, totalBytes: file.bytes });
        continue;
      }
      await rm(destination, { force: true });
    }
    const url = new URL(file.url, mirror.endsWith('/') ? mirror : `${mirror}/`).href;
    try {
      await downloadFile({
        url,
        destination,
        sha256: file.sha256,
        bytes: file.bytes,
        file: file.path,
        onProgress: (event) => options.onProgress?.({ asset: entry.name, ...event }),
        signal: options.signal,
        fetch: options.fetch,
        retryDelayMs: options.retryDelayMs,
      });
    } catch (error) {
      throw explainFailure(error, entry.name, mirror);
    }
  }
  return { name: entry.name, dir, files: assetFilePaths(dir, entry) };
}

/** The MODEL_UNAVAILABLE error for an asset that is not on this machine, with the command that fetches it. */
export function modelUnavailable(
  name: string,
  reason: string,
  options: { mirror?: string; cause?: unknown } = {},
): TrellisError {
  const where = options.mirror ? ` on a machine that can reach ${options.mirror}` : ' on a machine with network access';
  return new TrellisError('MODEL_UNAVAILABLE', `model ${name} is not available: ${reason}`, {
    hint: `Run \`trellis models pull ${name}\`${where}, or put its files in $TRELLIS_MODELS_DIR/${name}/.`,
    cause: options.cause,
    details: { name },
  });
}

function explainFailure(error: unknown, name: string, mirror: string): unknown {
  if (isUnreachableError(error)) {
    const reason = `${mirror} cannot be reached (${String((error as TrellisError).details.code)})`;
    return modelUnavailable(name, reason, { mirror, cause: error });
  }
  if (TrellisError.isInstance(error, 'ASSET_DOWNLOAD_FAILED')) {
    return new TrellisError(error.code, error.message, {
      hint: `Check the network or the mirror (${mirror}), then run \`trellis models pull ${name}\` again; it resumes.`,
      cause: error.cause,
      details: error.details,
    });
  }
  if (TrellisError.isInstance(error, 'ASSET_CHECKSUM_MISMATCH')) {
    return new TrellisError(error.code, error.message, {
      hint:
        `The file was deleted; run \`trellis models pull ${name}\` again, ` +
        `or check that ${mirror} serves the pinned revision.`,
      cause: error.cause,
      details: error.details,
    });
  }
  return error;
}
