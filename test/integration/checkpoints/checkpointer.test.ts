import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createCheckpointer } from '../../../core/checkpointer.js';
import { TrellisError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/logger.js';
import { closedPort } from '../../helpers/closed-port.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const temp = makeTempDir('trellis-checkpointer-');
afterAll(() => temp.remove());

describe('createCheckpointer({ provider: sqlite })', () => {
  it('keeps checkpoints in <dataDir>/checkpoints.db in WAL mode, apart from trellis.db', async () => {
    const dataDir = path.join(temp.dir, 'sqlite');
    const checkpointer = await createCheckpointer({ settings: { provider: 'sqlite', schema: 'public' }, dataDir, logger: silentLogger });
    const file = path.join(dataDir, 'checkpoints.db');
    expect(checkpointer.provider).toBe('sqlite');
    expect(await checkpointer.check()).toEqual({ state: 'ok', detail: `sqlite: ${file}` });
    await checkpointer.close();
    await checkpointer.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect(existsSync(path.join(dataDir, 'trellis.db'))).toBe(false);
  });
});

describe('createCheckpointer({ provider: postgres })', () => {
  it('fails with CHECKPOINT_STORE_UNAVAILABLE when the server is unreachable, without the password', async () => {
    const url = `postgres://trellis:s3cret@127.0.0.1:${await closedPort()}/trellis`;
    const creating = createCheckpointer({ settings: { provider: 'postgres', url, schema: 'public' }, dataDir: temp.dir, logger: silentLogger });
    const error = await creating.catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'CHECKPOINT_STORE_UNAVAILABLE')).toBe(true);
    expect(error).toMatchObject({ status: 503, hint: expect.stringContaining('TRELLIS_POSTGRES_URL') });
    expect((error as TrellisError).message).toContain('ECONNREFUSED');
    expect((error as TrellisError).message).not.toContain('s3cret');
  });

  it('refuses a postgres provider without a URL, naming TRELLIS_POSTGRES_URL', async () => {
    const creating = createCheckpointer({ settings: { provider: 'postgres', schema: 'public' }, dataDir: temp.dir, logger: silentLogger });
    await expect(creating).rejects.toMatchObject({ code: 'CONFIG_INVALID', hint: expect.stringContaining('TRELLIS_POSTGRES_URL') });
  });
});
