import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TrellisError, toTrellisError } from './errors.js';

export type SqliteDatabase = Database.Database;

/**
 * One forward-only schema step. Ids sort in the order they must run (`0001-core-instance`, `0100-rag-documents`);
 * each layer contributes its own list and the runtime concatenates them. A migration is never edited once released:
 * a fix is a new migration.
 */
export interface Migration {
  readonly id: string;
  readonly up: string | ((db: SqliteDatabase) => void);
}

export interface OpenDatabaseOptions {
  /** The database file; its folder is created. ':memory:' for a throwaway database. */
  file: string;
  migrations: readonly Migration[];
  /** How long a writer waits for another connection's lock before failing, in ms. */
  busyTimeoutMs?: number;
  now?: () => Date;
}

export interface MigrationReport {
  readonly applied: readonly string[];
  readonly current: readonly string[];
}

/**
 * Opens the embedded database in WAL mode (readers never block the writer) and brings its schema up to date.
 * Each migration runs in its own transaction, so a failing one leaves the database as the previous one left it.
 */
export function openDatabase(options: OpenDatabaseOptions): { db: SqliteDatabase; migrations: MigrationReport } {
  const db = openConnection(options.file, options.busyTimeoutMs);
  try {
    return { db, migrations: migrate(db, options.migrations, options.now ?? (() => new Date())) };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Another connection to a database whose schema its first opener keeps (another thread's, such as the span export
 * thread's): WAL, busy timeout and the same durability, without migrating.
 */
export function openConnection(file: string, busyTimeoutMs = 5000): SqliteDatabase {
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma('foreign_keys = ON');
    // NORMAL is durable in WAL mode except for the last transactions on power loss, and much faster than FULL.
    db.pragma('synchronous = NORMAL');
    return db;
  } catch (error) {
    throw toTrellisError(error, 'DB_OPEN_FAILED', `cannot open database ${file}`);
  }
}

/** Applies the migrations the database has not seen yet, in order. Exported for tests and `trellis doctor`. */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[], now: () => Date): MigrationReport {
  assertOrdered(migrations);
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const seen = new Set(
    db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[],
  );
  const known = new Set(migrations.map((migration) => migration.id));
  const unknown = [...seen].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new TrellisError('DB_SCHEMA_NEWER', `database has migrations this Trellis does not know: ${unknown.join(', ')}`, {
      details: { unknown },
    });
  }
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  const applied: string[] = [];
  for (const migration of migrations) {
    if (seen.has(migration.id)) continue;
    try {
      db.transaction(() => {
        if (typeof migration.up === 'string') db.exec(migration.up);
        else migration.up(db);
        record.run(migration.id, now().toISOString());
      })();
    } catch (error) {
      throw toTrellisError(error, 'DB_MIGRATION_FAILED', `migration ${migration.id} failed`);
    }
    applied.push(migration.id);
  }
  return { applied, current: migrations.map((migration) => migration.id) };
}

function assertOrdered(migrations: readonly Migration[]): void {
  for (let index = 1; index < migrations.length; index += 1) {
    const previous = migrations[index - 1]!.id;
    const current = migrations[index]!.id;
    if (current <= previous) {
      // A programming error in Trellis itself, caught by the test suite before any release.
      throw new TrellisError('DB_MIGRATION_FAILED', `migration ids must be unique and ascending: ${previous} then ${current}`);
    }
  }
}
