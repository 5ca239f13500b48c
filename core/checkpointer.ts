import path from 'node:path';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { TrellisConfig } from './config-schema.js';
import { openDatabase, type SqliteDatabase } from './db.js';
import { TrellisError } from './errors.js';
import type { Logger } from './logger.js';

/** The `stores.checkpoints` settings. */
export type CheckpointSettings = TrellisConfig['stores']['checkpoints'];

/** What `check()` reports; the runtime adds the name to make it a readiness check. */
export interface CheckpointerStatus {
  readonly state: 'ok' | 'failed';
  readonly detail: string;
  readonly hint?: string;
}

/**
 * Where LangGraph keeps thread state. `saver` goes to `graph.compile({ checkpointer })`; the rest is what the
 * runtime needs to own it: a readiness probe, thread deletion and a close that releases the connection.
 */
export interface Checkpointer {
  readonly provider: CheckpointSettings['provider'];
  readonly saver: BaseCheckpointSaver;
  /** Forgets every checkpoint and pending write of one thread (all namespaces); a thread never seen is a no-op. */
  deleteThread(threadId: string): Promise<void>;
  /** A cheap round trip to the store; never throws. */
  check(): Promise<CheckpointerStatus>;
  /** Releases the file or the connection pool. Idempotent; the saver must not be used afterwards. */
  close(): Promise<void>;
}

export interface CreateCheckpointerOptions {
  settings: CheckpointSettings;
  /** The resolved data directory; SQLite checkpoints live in `<dataDir>/checkpoints.db`. */
  dataDir: string;
  logger: Logger;
}

/** The SQLite file beside `trellis.db`. */
export const SQLITE_CHECKPOINTS_FILE = 'checkpoints.db';

/**
 * Opens the configured checkpoint store. SQLite needs nothing running; PostgreSQL is connected and its tables are
 * created or migrated here, so an unreachable server fails start-up with CHECKPOINT_STORE_UNAVAILABLE rather than
 * the first run.
 *
 * @example
 * const checkpointer = await createCheckpointer({ settings: config.stores.checkpoints, dataDir, logger });
 * const graph = buildRagGraph(deps).compile({ checkpointer: checkpointer.saver });
 * // ... on shutdown:
 * await checkpointer.close();
 */
export async function createCheckpointer(options: CreateCheckpointerOptions): Promise<Checkpointer> {
  const { settings, logger } = options;
  if (settings.provider === 'postgres') {
    if (!settings.url) {
      throw new TrellisError('CONFIG_INVALID', 'stores.checkpoints.provider is postgres but stores.checkpoints.url is not set', {
        hint: 'Set TRELLIS_POSTGRES_URL=postgres://user:password@host:5432/db, or use the sqlite provider.',
      });
    }
    // Loaded only when chosen: the pg driver is not needed by (nor started with) the embedded default.
    const { createPostgresCheckpointer } = await import('./postgres-checkpointer.js');
    return createPostgresCheckpointer({ url: settings.url, schema: settings.schema, logger });
  }
  if (settings.url) {
    logger.warn('stores.checkpoints.url is set but the provider is sqlite; set TRELLIS_STORES__CHECKPOINTS__PROVIDER=postgres to use it');
  }
  return createSqliteCheckpointer(path.join(options.dataDir, SQLITE_CHECKPOINTS_FILE));
}

/**
 * A SqliteSaver on its own file rather than inside `trellis.db`. SQLite has one writer per file: a graph writes a
 * checkpoint every step while ingestion writes long batches, and in one file each would wait on the other's lock
 * (and fail with SQLITE_BUSY after the busy timeout). Apart, the tables SqliteSaver creates and evolves on its own
 * also stay out of Trellis's migration history, and conversation state can be backed up or wiped on its own.
 */
export function createSqliteCheckpointer(file: string): Checkpointer {
  // No migrations: SqliteSaver creates its tables itself; openDatabase still gives WAL, busy timeout and DB_OPEN_FAILED.
  const { db } = openDatabase({ file, migrations: [] });
  reusePreparedStatements(db);
  const saver = new SqliteSaver(db);
  return {
    provider: 'sqlite',
    saver,
    deleteThread: (threadId) => saver.deleteThread(threadId),
    async check() {
      try {
        db.prepare('SELECT 1').get();
        return { state: 'ok', detail: `sqlite: ${file}` };
      } catch (error) {
        return { state: 'failed', detail: `sqlite: ${String(error)}`, hint: 'Check the data directory and disk space.' };
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

/** Distinct SQL texts kept prepared: SqliteSaver uses a handful, and list() one per shape of filter. */
const MAX_PREPARED_STATEMENTS = 64;

/**
 * Makes `db.prepare` hand back the statement it prepared before for the same SQL. SqliteSaver prepares its
 * statements again on every put, putWrites and list (2% of the API server's busy CPU under bench:api, as much
 * as the writes themselves); it runs them with get, all and run only, never iterate, so one statement serves
 * every call.
 */
function reusePreparedStatements(db: SqliteDatabase): void {
  const prepare = db.prepare.bind(db);
  let statements = new Map<string, ReturnType<typeof prepare>>();
  db.prepare = ((sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      if (statements.size >= MAX_PREPARED_STATEMENTS) statements = new Map();
      statement = prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  }) as typeof db.prepare;
}
