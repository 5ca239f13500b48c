import { Command } from 'commander';
import { ApiKeys, parseScopes } from '../../runtime/api-keys.js';
import { withDatabase } from '../with-database.js';

/**
 * `trellis keys create|list|revoke`: API keys, managed on the server machine (so any tenant), straight in the
 * database: no model, store or sidecar starts, and it works while the server runs (SQLite WAL).
 */
export function createKeysCommand(): Command {
  const keys = new Command('keys').description('create, list or revoke API keys');
  keys
    .command('create')
    .description('create an API key; the key alone is printed on the last line of stdout, once')
    .requiredOption('--tenant <id>', 'the tenant the key acts for')
    .option('--scopes <list>', 'comma-separated scopes: chat, ingest, admin', 'chat')
    .option('--name <text>', 'a note to recognise the key by', '')
    .action(async (flags: { tenant: string; scopes: string; name: string }) => {
      await withApiKeys((apiKeys) => {
        const { key, info } = apiKeys.create({ tenantId: flags.tenant, scopes: parseScopes(flags.scopes), name: flags.name });
        process.stdout.write(`created key ${info.keyId} for tenant ${info.tenantId} with scopes ${info.scopes.join(',')}\n${key}\n`);
      });
    });
  keys
    .command('list')
    .description('list keys (never the keys themselves: only their id and prefix)')
    .option('--tenant <id>', 'only this tenant')
    .action(async (flags: { tenant?: string }) => {
      await withApiKeys((apiKeys) => {
        const rows = apiKeys.list(flags.tenant);
        if (rows.length === 0) process.stdout.write('no API keys\n');
        for (const key of rows) {
          const state = key.revokedAt ? `revoked ${key.revokedAt}` : `last used ${key.lastUsedAt ?? 'never'}`;
          process.stdout.write(`${key.keyId}\t${key.tenantId}\t${key.scopes.join(',')}\t${key.prefix}…\t${state}${key.name ? `\t${key.name}` : ''}\n`);
        }
      });
    });
  keys
    .command('revoke')
    .description('revoke a key at once')
    .argument('<id>', 'the key id (`trellis keys list`)')
    .action(async (id: string) => {
      await withApiKeys((apiKeys) => {
        const info = apiKeys.revoke(id);
        process.stdout.write(`revoked key ${info.keyId} of tenant ${info.tenantId}\n`);
      });
    });
  return keys;
}

function withApiKeys(work: (apiKeys: ApiKeys) => void): Promise<void> {
  return withDatabase((db) => work(new ApiKeys(db, () => new Date())));
}
