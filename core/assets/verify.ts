import { ASSET_CATALOGUE, findAsset } from './catalogue.js';
import { hashFile } from './hash-file.js';
import { assetFilePath, fileSize, locateAsset, type AssetLocationOptions } from './locate.js';

/** What rehashing one file found. */
export interface FileVerification {
  /** Catalogue path, e.g. `onnx/model.onnx`. */
  readonly path: string;
  readonly status: 'ok' | 'missing' | 'mismatch';
  readonly expectedSha256: string;
  /** Null when the file is missing. */
  readonly actualSha256: string | null;
  readonly expectedBytes: number;
  readonly actualBytes: number | null;
}

/** What rehashing an asset found. */
export interface AssetVerification {
  readonly name: string;
  /** The folder that was checked, the one `resolveAsset` would use; `missing` when neither exists. */
  readonly source: 'models-dir' | 'cache' | 'missing';
  readonly dir: string | null;
  /** True when the asset is present and every file matches its pin. */
  readonly ok: boolean;
  readonly files: readonly FileVerification[];
}

/**
 * Rehashes every file of an asset where `resolveAsset` would find it and compares it with the catalogue: catches
 * files damaged or replaced after they were downloaded, and user-provided files that differ from the pins.
 * Never touches the network.
 *
 * @throws TrellisError ASSET_UNKNOWN.
 */
export async function verifyAsset(name: string, options: AssetLocationOptions): Promise<AssetVerification> {
  const entry = findAsset(name, options.catalogue ?? ASSET_CATALOGUE);
  const placement = await locateAsset(entry, options);
  const files: FileVerification[] = [];
  for (const file of entry.files) {
    const expected = { path: file.path, expectedSha256: file.sha256, expectedBytes: file.bytes };
    const absolutePath = placement ? assetFilePath(placement.dir, file.path) : undefined;
    if (absolutePath === undefined || (await fileSize(absolutePath)) === undefined) {
      files.push({ ...expected, status: 'missing', actualSha256: null, actualBytes: null });
      continue;
    }
    const actual = await hashFile(absolutePath);
    const matches = actual.sha256 === file.sha256 && actual.bytes === file.bytes;
    const status = matches ? 'ok' : 'mismatch';
    files.push({ ...expected, status, actualSha256: actual.sha256, actualBytes: actual.bytes });
  }
  return {
    name: entry.name,
    source: placement?.source ?? 'missing',
    dir: placement?.dir ?? null,
    ok: placement !== undefined && files.every((file) => file.status === 'ok'),
    files,
  };
}
