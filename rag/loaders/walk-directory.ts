import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { TrellisError, toTrellisError } from '../../core/errors.js';
import { loadFile, SUPPORTED_EXTENSIONS, type LoadFileOptions } from './load-file.js';
import type { LoadOutcome } from './types.js';

export interface WalkDirectoryOptions extends Omit<LoadFileOptions, 'root'> {
  /** Globs relative to the root. Default: every file with a supported extension, at any depth. */
  include?: string[];
  /** Globs to leave out, added to the defaults (`node_modules`; hidden files are never matched). */
  exclude?: string[];
  /** Told how many files matched, before the first is loaded (progress bars need a total). */
  onListed?: (fileCount: number) => void;
}

const DEFAULT_EXCLUDE = ['**/node_modules/**'];

/**
 * Loads every matching file under `root`, one file at a time (memory stays bounded by the largest file, never the
 * folder), in sorted path order. Each file yields its documents as `{ ok: true }`, or one `{ ok: false }` with a
 * coded error; a bad file never stops the walk. Hidden files and folders and `node_modules` are skipped.
 *
 * @example
 * for await (const outcome of walkDirectory('docs', { exclude: ['drafts/**'] })) {
 *   if (outcome.ok) await ingest(outcome.document);
 *   else log.warn(outcome.error.toJSON(), outcome.path);
 * }
 */
export async function* walkDirectory(root: string, options: WalkDirectoryOptions = {}): AsyncGenerator<LoadOutcome> {
  const include = options.include ?? [`**/*.{${SUPPORTED_EXTENSIONS.map((extension) => extension.slice(1)).join(',')}}`];
  // The glob library lists a missing folder as empty; an ingest with `sync` would then remove every document of
  // the knowledge base because of a typo in the path.
  const folder = await stat(root).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new TrellisError('DOCUMENT_UNREADABLE', folder ? `${root} is not a folder` : `the folder ${root} does not exist`, {
      hint: 'Give the path of a folder that holds the documents.',
      details: { path: root },
    });
  }
  let paths: string[];
  try {
    paths = await glob(include, {
      cwd: root,
      ignore: [...DEFAULT_EXCLUDE, ...(options.exclude ?? [])],
      dot: false,
      onlyFiles: true,
      followSymbolicLinks: false,
      caseSensitiveMatch: false,
      expandDirectories: false,
    });
  } catch (error) {
    throw new TrellisError('DOCUMENT_UNREADABLE', `cannot list the folder ${root}`, {
      hint: 'Check that the folder exists and is readable.',
      cause: error,
      details: { path: root },
    });
  }
  paths.sort();
  options.onListed?.(paths.length);
  for (const relativePath of paths) {
    let documents;
    try {
      documents = await loadFile(path.join(root, relativePath), { ...options, root });
    } catch (error) {
      yield { ok: false, path: relativePath, error: toTrellisError(error, 'DOCUMENT_UNREADABLE', `cannot load ${relativePath}`) };
      continue;
    }
    for (const document of documents) yield { ok: true, document };
  }
}
