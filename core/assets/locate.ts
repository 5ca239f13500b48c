import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AssetEntry } from './catalogue.js';

/** Where to look for an asset's files. */
export interface AssetLocationOptions {
  /** Folder of user-provided model files, one sub-folder per catalogue name (TRELLIS_MODELS_DIR). */
  readonly modelsDir?: string;
  /** Folder that downloads go to, one sub-folder per catalogue name. */
  readonly cacheDir: string;
  /** Replaces the built-in catalogue; a test seam. */
  readonly catalogue?: readonly AssetEntry[];
}

/** The folder that holds (some of) an asset's files. */
export interface AssetPlacement {
  readonly source: 'models-dir' | 'cache';
  readonly dir: string;
  /** Catalogue paths not found there (for the cache: absent or not yet of their full size). */
  readonly missing: readonly string[];
}

/**
 * Finds an asset without touching the network or hashing anything. A models-dir folder, once it exists, is the
 * user's choice and wins even when incomplete; a cache file counts when it has its full size, because it was
 * verified before it was renamed into place. Undefined when neither folder exists.
 */
export async function locateAsset(
  entry: AssetEntry,
  options: AssetLocationOptions,
): Promise<AssetPlacement | undefined> {
  if (options.modelsDir !== undefined) {
    const dir = path.join(options.modelsDir, entry.name);
    if (await isDirectory(dir)) {
      const missing = await filterAsync(entry.files, async (file) => (await sizeIn(dir, file.path)) === undefined);
      return { source: 'models-dir', dir, missing: missing.map((file) => file.path) };
    }
  }
  const dir = path.join(options.cacheDir, entry.name);
  if (!(await isDirectory(dir))) return undefined;
  const missing = await filterAsync(entry.files, async (file) => (await sizeIn(dir, file.path)) !== file.bytes);
  return { source: 'cache', dir, missing: missing.map((file) => file.path) };
}

/** Absolute path of a catalogue path (always `/`-separated) inside an asset folder. */
export function assetFilePath(dir: string, relativePath: string): string {
  return path.join(dir, ...relativePath.split('/'));
}

/** Every file of an asset, keyed by its catalogue path. */
export function assetFilePaths(dir: string, entry: AssetEntry): Readonly<Record<string, string>> {
  return Object.fromEntries(entry.files.map((file) => [file.path, assetFilePath(dir, file.path)]));
}

/** Size of a regular file, or undefined when there is none. */
export async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

function sizeIn(dir: string, relativePath: string): Promise<number | undefined> {
  return fileSize(assetFilePath(dir, relativePath));
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

async function filterAsync<T>(items: readonly T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const verdicts = await Promise.all(items.map(keep));
  return items.filter((_, index) => verdicts[index]);
}
