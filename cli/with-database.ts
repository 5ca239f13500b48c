import path from 'node:path';
import { loadConfig } from '../core/config.js';
import { openDatabase, type SqliteDatabase } from '../core/db.js';
import { runtimeMigrations } from '../runtime/migrations.js';

/**
 * Runs a command on the runtime's database alone: no model, store or sidecar starts, and it works while the
 * server runs (SQLite WAL). For commands that only read or write rows (`trellis keys`, `trellis traces`).
 */
export async function withDatabase<T>(work: (db: SqliteDatabase) => T | Promise<T>): Promise<T> {
  const config = loadConfig();
  const { db } = openDatabase({ file: path.join(path.resolve(config.dataDir), 'trellis.db'), migrations: runtimeMigrations });
  try {
    return await work(db);
  } finally {
    db.close();
  }
}
