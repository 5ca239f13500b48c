import { createHash } from 'node:crypto';
import { TrellisError } from '../../../core/errors.js';
import type { StoreScope } from '../types.js';

const PREFIX = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/;

/**
 * The Chroma collection that holds one scope: `<prefix>-<40 hex of sha256(tenant, kb)>`.
 *
 * Hashing rather than escaping keeps any tenant or kb id within Chroma's name rules (3 to 512 characters of
 * `[a-zA-Z0-9._-]`, alphanumeric at both ends), and the JSON pair keeps ("a-b", "c") and ("a", "b-c") apart.
 */
export function chromaCollectionName(prefix: string, scope: StoreScope): string {
  const digest = createHash('sha256').update(JSON.stringify([scope.tenantId, scope.kbId])).digest('hex');
  return `${prefix}-${digest.slice(0, 40)}`;
}

/** Rejects a prefix that would make collection names Chroma refuses. */
export function assertCollectionPrefix(prefix: string): void {
  if (!PREFIX.test(prefix)) {
    throw new TrellisError('CONFIG_INVALID', `Chroma collection prefix "${prefix}" is invalid`, {
      hint: 'Use 1 to 63 letters, digits, "_" or "-", starting with a letter or digit.',
    });
  }
}
