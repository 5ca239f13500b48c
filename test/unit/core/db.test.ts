import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Migration } from '../../../core/db.js';
import { TrellisError } from '../../../core/errors.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const createNotes: Migration = { id: '0001-notes', up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)' };
const addTitle: Migration = { id: '0002-notes-title', up: "ALTER TABLE notes ADD COLUMN title TEXT NOT NULL DEFAULT ''" };

describe('openDatabase', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: string;
  beforeEach(() => {
    temp = makeTempDir();
    file = path.join(temp.dir, 'nested', 'trellis.db');
  });
  afterEach(() => temp.remove());

  it('creates the file in WAL mode with a busy timeout and applies migrations in order', () => {
    const { db, migrations } = openDatabase({ file, migrations: [createNotes, addTitle] });
    expect(migrations.applied).toEqual(['0001-notes', '0002-notes-title']);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.prepare('INSERT INTO notes (body, title) VALUES (?, ?)').run('hello', 't');
    db.close();
  });

  it('applies only new migrations on the next start and keeps the data', () => {
    openDatabase({ file, migrations: [createNotes] }).db.prepare("INSERT INTO notes (body) VALUES ('kept')").run();
    const { db, migrations } = openDatabase({ file, migrations: [createNotes, addTitle] });
    expect(migrations.applied).toEqual(['0002-notes-title']);
    expect(db.prepare('SELECT body, title FROM notes').all()).toEqual([{ body: 'kept', title: '' }]);
    db.close();
  });

  it('rolls a failing migration back whole and reports which one failed', () => {
    const broken: Migration = {
      id: '0002-broken',
      up: "CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);",
    };
    openDatabase({ file, migrations: [createNotes] }).db.close();
    let caught: unknown;
    try {
      openDatabase({ file, migrations: [createNotes, broken] });
    } catch (error) {
      caught = error;
    }
    expect(TrellisError.isInstance(caught, 'DB_MIGRATION_FAILED')).toBe(true);
    expect((caught as TrellisError).message).toContain('0002-broken');
    const { db, migrations } = openDatabase({ file, migrations: [createNotes] });
    expect(migrations.applied).toEqual([]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a database migrated by a newer Trellis', () => {
    openDatabase({ file, migrations: [createNotes, addTitle] }).db.close();
    expect(() => openDatabase({ file, migrations: [createNotes] })).toThrow(
      expect.objectContaining({ code: 'DB_SCHEMA_NEWER' }),
    );
  });

  it('rejects migration lists that are not strictly ascending', () => {
    expect(() => openDatabase({ file, migrations: [addTitle, createNotes] })).toThrow(
      expect.objectContaining({ code: 'DB_MIGRATION_FAILED' }),
    );
  });

  it('reports a data path that cannot be created with DB_OPEN_FAILED', () => {
    const notAFolder = path.join(temp.dir, 'plain-file');
    writeFileSync(notAFolder, 'x');
    expect(() => openDatabase({ file: path.join(notAFolder, 'trellis.db'), migrations: [] })).toThrow(
      expect.objectContaining({ code: 'DB_OPEN_FAILED' }),
    );
  });

  it('lets a second connection read while the first writes (WAL)', () => {
    const writer = openDatabase({ file, migrations: [createNotes] }).db;
    const reader = openDatabase({ file, migrations: [createNotes] }).db;
    writer.exec('BEGIN');
    writer.prepare("INSERT INTO notes (body) VALUES ('pending')").run();
    expect(reader.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 0 });
    writer.exec('COMMIT');
    expect(reader.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 1 });
    writer.close();
    reader.close();
  });
});
