import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type { Checkpointer } from './checkpointer.js';
import { ERROR_CODES, TrellisError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * The part of node-postgres that Trellis touches. `pg` ships no type declarations and `@types/pg` is not a
 * dependency, so this narrow interface is the typed boundary.
 */
interface PostgresPool {
  connect(): Promise<PostgresClient>;
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface PostgresClient {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(): void;
}

interface PostgresPoolConfig {
  connectionString: string;
  connectionTimeoutMillis: number;
  application_name: string;
}

export interface CreatePostgresCheckpointerOptions {
  /** `postgres://user:password@host:5432/db`. */
  url: string;
  /** The schema holding the tables; created when missing. */
  schema: string;
  logger: Logger;
  /** How long to wait for a connection before calling the server unreachable, in ms. */
  connectTimeoutMs?: number;
}

/**
 * A PostgresSaver on a pool Trellis owns, tables created or migrated before it is returned. Several replicas can
 * share one database: their set-ups take turns under an advisory lock.
 */
export async function createPostgresCheckpointer(options: CreatePostgresCheckpointerOptions): Promise<Checkpointer> {
  const where = redactUrl(options.url);
  const pool = createPool({
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    application_name: 'trellis',
  });
  // Without a listener, an idle connection dropped by the server (restart, failover) would crash the process;
  // the pool replaces it on next use.
  pool.on('error', (error) => options.logger.warn({ err: error, server: where }, 'idle PostgreSQL connection lost'));
  // The pool is untyped at PostgresSaver's boundary too (see PostgresPool), so it accepts ours as it is.
  const saver = new PostgresSaver(pool, undefined, { schema: options.schema });
  try {
    await setUpOnce(pool, saver, options.schema);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unavailable(error, `cannot use PostgreSQL at ${where} for checkpoints`);
  }
  options.logger.info({ server: where, schema: options.schema }, 'checkpoints in PostgreSQL');

  let closing: Promise<void> | undefined;
  return {
    provider: 'postgres',
    saver,
    async deleteThread(threadId) {
      try {
        await saver.deleteThread(threadId);
      } catch (error) {
        throw unavailable(error, `cannot delete thread ${threadId} from PostgreSQL at ${where}`);
      }
    },
    async check() {
      try {
        await pool.query('SELECT 1');
        return { state: 'ok', detail: `postgres: ${where} (schema ${options.schema})` };
      } catch (error) {
        return { state: 'failed', detail: `postgres: ${where}: ${reasonOf(error)}`, hint: ERROR_CODES.CHECKPOINT_STORE_UNAVAILABLE.hint };
      }
    },
    close() {
      closing ??= pool.end();
      return closing;
    },
  };
}

async function setUpOnce(pool: PostgresPool, saver: PostgresSaver, schema: string): Promise<void> {
  // PostgresSaver.setup() reads the migration version, then applies what is missing: two replicas starting together
  // would both apply it and one would fail on a duplicate key. A session-level lock on another connection
  // serialises them; the second then finds nothing left to do.
  const lockKey = createHash('sha256').update(`trellis.checkpoints.${schema}`).digest().readBigInt64BE(0).toString();
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [lockKey]);
    try {
      await saver.setup();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [lockKey]);
    }
  } finally {
    client.release();
  }
}

function createPool(config: PostgresPoolConfig): PostgresPool {
  const { Pool } = createRequire(import.meta.url)('pg') as { Pool: new (config: PostgresPoolConfig) => PostgresPool };
  return new Pool(config);
}

function unavailable(error: unknown, message: string): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
  return new TrellisError('CHECKPOINT_STORE_UNAVAILABLE', `${message}: ${reasonOf(error)}`, {
    cause: error,
    ...(code ? { details: { code } } : {}),
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reasonOf(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // Query parameters may carry a password or TLS keys too.
    parsed.search = '';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}
