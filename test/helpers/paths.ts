import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whatever folder the clone is in. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared models and datasets sit beside the clone (CI puts them there too). */
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const sharedModel = (...parts: string[]) => path.join(sharedDir, 'models', ...parts);
