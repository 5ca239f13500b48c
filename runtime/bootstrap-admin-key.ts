import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiKeys } from './api-keys.js';

export const BOOTSTRAP_TENANT = 'default';

/**
 * Secure by default: a server that starts with auth on and no usable key creates an admin key for the `default`
 * tenant, so the API is never open and never unusable. The key is returned (to print once) and written to
 * `<dataDir>/admin-key` readable by the owner alone, for a user who missed the banner; the database keeps only its
 * hash. Returns undefined when keys exist already.
 */
export function bootstrapAdminKey(apiKeys: ApiKeys, dataDir: string): { key: string; file: string } | undefined {
  if (apiKeys.hasActiveKeys()) return undefined;
  const { key } = apiKeys.create({ tenantId: BOOTSTRAP_TENANT, scopes: ['admin'], name: 'created at first start' });
  const file = path.join(path.resolve(dataDir), 'admin-key');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, file };
}
