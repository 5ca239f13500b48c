import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../core/db.js';
import { runtimeMigrations } from '../../../runtime/migrations.js';
import { graphsMigrations } from '../../../graphs/migrations.js';
import { createToolJournal } from '../../../graphs/tool-journal.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((cleanup) => cleanup()));

function journalOn(file: string, now = () => new Date('2026-01-01T00:00:00Z')) {
  // After every other layer's migrations, as the runtime will run them.
  const already = new Set(runtimeMigrations.map((migration) => migration.id));
  const { db } = openDatabase({ file, migrations: [...runtimeMigrations, ...graphsMigrations.filter((m) => !already.has(m.id))] });
  cleanups.push(() => db.close());
  return createToolJournal({ db, now });
}

describe('createToolJournal', () => {
  it('records a call as started, then finished with its result, durably across connections', () => {
    const { dir, remove } = makeTempDir();
    cleanups.push(remove);
    const file = path.join(dir, 'trellis.db');
    const journal = journalOn(file);
    expect(journal.lookup('t', 'c1')).toBeUndefined();
    journal.start('t', 'c1', 'calculator');
    expect(journal.lookup('t', 'c1')).toEqual({ status: 'started', tool: 'calculator', startedAt: '2026-01-01T00:00:00.000Z' });
    journal.finish('t', 'c1', { ok: true, output: { result: 42 } });

    const reopened = journalOn(file);
    expect(reopened.lookup('t', 'c1')).toEqual({
      status: 'finished', tool: 'calculator', startedAt: '2026-01-01T00:00:00.000Z', result: { ok: true, output: { result: 42 } },
    });
    expect(reopened.lookup('other-thread', 'c1')).toBeUndefined();
  });

  it('starts a call afresh when it is started again, and forgets a deleted thread', () => {
    const journal = journalOn(':memory:');
    journal.start('t', 'c1', 'calculator');
    journal.finish('t', 'c1', { ok: false, error: { code: 'TOOL_FAILED', message: 'x' } });
    journal.start('t', 'c1', 'other_tool');
    expect(journal.lookup('t', 'c1')).toMatchObject({ status: 'started', tool: 'other_tool' });
    journal.deleteThread('t');
    expect(journal.lookup('t', 'c1')).toBeUndefined();
  });
});
