import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Migration, SqliteDatabase } from '../core/db.js';
import { TrellisError } from '../core/errors.js';

/** What a key may do: `chat` runs graphs and agents, `ingest` changes knowledge bases, `admin` everything. */
export const API_KEY_SCOPES = ['chat', 'ingest', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Who a request acts for, once its key is verified. */
export interface Principal {
  readonly keyId: string;
  readonly tenantId: string;
  readonly scopes: readonly ApiKeyScope[];
}

export interface ApiKeyInfo extends Principal {
  readonly name: string;
  /** The first characters of the key, to recognise it in a list without storing it. */
  readonly prefix: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export const apiKeyMigrations: readonly Migration[] = [
  {
    id: '0500-runtime-api-keys',
    up: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        prefix TEXT NOT NULL,
        secret_hash BLOB NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id);
    `,
  },
];

interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string;
  scopes: string;
  prefix: string;
  secret_hash: Buffer;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const KEY_PATTERN = /^trl_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// last_used_at is written at most this often per key, so verifying a key on every request costs no write.
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * API keys, hashed at rest. A key is `trl_<id>_<secret>`: the id finds the row, the secret (256 random bits) is
 * compared by its SHA-256 in constant time. A slow password hash would add nothing for secrets this long and would
 * cost every request milliseconds.
 */
export class ApiKeys {
  private readonly lastUsedWrites = new Map<string, number>();
  private readonly selectKey;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: () => Date,
  ) {
    this.selectKey = db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE id = ?');
  }

  /** Creates a key; the plaintext is returned here once and never stored. */
  create(options: { tenantId: string; scopes: readonly ApiKeyScope[]; name?: string }): { key: string; info: ApiKeyInfo } {
    if (!TENANT_PATTERN.test(options.tenantId)) {
      throw new TrellisError('API_BODY_INVALID', `tenant "${options.tenantId}" must be 1-64 letters, digits, '.', '_' or '-'`);
    }
    const scopes = normaliseScopes(options.scopes);
    const id = Array.from(randomBytes(12), (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
    const secret = randomBytes(32).toString('base64url');
    const key = `trl_${id}_${secret}`;
    const at = this.now().toISOString();
    this.db
      .prepare(
        'INSERT INTO api_keys (id, tenant_id, name, scopes, prefix, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, options.tenantId, options.name ?? '', scopes.join(','), key.slice(0, 12), hashSecret(secret), at);
    return { key, info: this.info(id) };
  }

  /**
   * The principal of a presented key; AUTH_INVALID for malformed, unknown and revoked keys alike. The row is read on
   * every call (one indexed lookup, microseconds), so a key revoked by another process (`trellis keys revoke`)
   * stops working at once.
   */
  verify(presented: string): Principal {
    const match = KEY_PATTERN.exec(presented);
    const invalid = () => new TrellisError('AUTH_INVALID', 'the API key is not valid');
    if (!match) throw invalid();
    const [, id, secret] = match as unknown as [string, string, string];
    const row = this.selectKey.get(id);
    if (!row || row.revoked_at || !timingSafeEqual(row.secret_hash, hashSecret(secret))) throw invalid();
    this.markUsed(id);
    return { keyId: row.id, tenantId: row.tenant_id, scopes: row.scopes.split(',') as ApiKeyScope[] };
  }

  /** True while the key exists and is not revoked: what long-lived connections re-check after authenticating once. */
  isActive(keyId: string): boolean {
    const row = this.selectKey.get(keyId);
    return row !== undefined && !row.revoked_at;
  }

  list(tenantId?: string): readonly ApiKeyInfo[] {
    const rows = tenantId
      ? this.db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at').all(tenantId)
      : this.db.prepare<[], ApiKeyRow>('SELECT * FROM api_keys ORDER BY tenant_id, created_at').all();
    return rows.map(toInfo);
  }

  /** True when at least one key can still be used: the server creates the first admin key otherwise. */
  hasActiveKeys(): boolean {
    return this.db.prepare('SELECT 1 FROM api_keys WHERE revoked_at IS NULL LIMIT 1').get() !== undefined;
  }

  /** Revokes a key at once; `tenantId` confines it to that tenant's keys. */
  revoke(id: string, tenantId?: string): ApiKeyInfo {
    const found = this.find(id);
    if (!found || (tenantId !== undefined && found.tenantId !== tenantId)) {
      throw new TrellisError('API_KEY_NOT_FOUND', `no API key with id ${id}`);
    }
    this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(this.now().toISOString(), id);
    return this.info(id);
  }

  private info(id: string): ApiKeyInfo {
    const found = this.find(id);
    if (!found) throw new TrellisError('API_KEY_NOT_FOUND', `no API key with id ${id}`);
    return found;
  }

  private find(id: string): ApiKeyInfo | undefined {
    const row = this.selectKey.get(id);
    return row ? toInfo(row) : undefined;
  }

  private markUsed(id: string): void {
    const now = this.now();
    if (now.getTime() - (this.lastUsedWrites.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWrites.set(id, now.getTime());
    this.db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now.toISOString(), id);
  }
}

/** Parses `chat,ingest` (CLI, API) into known scopes; API_BODY_INVALID names any unknown one. */
export function parseScopes(text: string): ApiKeyScope[] {
  return normaliseScopes(text.split(',').map((scope) => scope.trim()).filter(Boolean) as ApiKeyScope[]);
}

/** Whether a principal may use a route needing `scope`; `admin` may use every route. */
export function hasScope(principal: Principal, scope: ApiKeyScope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

function normaliseScopes(scopes: readonly string[]): ApiKeyScope[] {
  const unknown = scopes.filter((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0 || scopes.length === 0) {
    throw new TrellisError('API_BODY_INVALID', `scopes must be some of ${API_KEY_SCOPES.join(', ')}; got ${scopes.join(',') || 'none'}`);
  }
  return API_KEY_SCOPES.filter((scope) => scopes.includes(scope));
}

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    keyId: row.id,
    tenantId: row.tenant_id,
    scopes: row.scopes.split(',') as ApiKeyScope[],
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
