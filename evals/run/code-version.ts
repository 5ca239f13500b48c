import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRELLIS_VERSION } from '../../core/version.js';
import type { CodeVersion } from '../results/results-store.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The package version and, in a git checkout, the commit (with `-dirty` when tracked files have changed), so a
 * stored run says which code produced it. Outside a checkout, or without git, the sha is null.
 */
export function readCodeVersion(): CodeVersion {
  const git = (args: string[]) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8', timeout: 5000 });
  const head = git(['rev-parse', 'HEAD']);
  if (head.status !== 0) return { packageVersion: TRELLIS_VERSION, gitSha: null };
  const dirty = git(['status', '--porcelain', '--untracked-files=no']);
  const sha = head.stdout.trim();
  return { packageVersion: TRELLIS_VERSION, gitSha: dirty.status === 0 && dirty.stdout.trim() !== '' ? `${sha}-dirty` : sha };
}
