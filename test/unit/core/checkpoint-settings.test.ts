import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';
import { TrellisError } from '../../../core/errors.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('stores.checkpoints settings', () => {
  const temp = makeTempDir();
  const cwd = temp.dir;
  afterAll(() => temp.remove());

  it('default to SQLite in the data dir, schema public', () => {
    expect(loadConfig({ env: {}, cwd }).stores.checkpoints).toEqual({ provider: 'sqlite', schema: 'public' });
  });

  it('take the PostgreSQL URL from TRELLIS_POSTGRES_URL and the provider from the generic variable', () => {
    const env = {
      TRELLIS_POSTGRES_URL: 'postgres://trellis:pw@db:5432/trellis',
      TRELLIS_STORES__CHECKPOINTS__PROVIDER: 'postgres',
      TRELLIS_STORES__CHECKPOINTS__SCHEMA: 'trellis_prod',
    };
    expect(loadConfig({ env, cwd }).stores.checkpoints).toEqual({
      provider: 'postgres',
      url: 'postgres://trellis:pw@db:5432/trellis',
      schema: 'trellis_prod',
    });
  });

  it('refuse a URL that is not postgres:// and a schema that is not a plain identifier', () => {
    for (const env of [{ TRELLIS_POSTGRES_URL: 'mysql://db/trellis' }, { TRELLIS_STORES__CHECKPOINTS__SCHEMA: 'a"; drop' }]) {
      const error = (() => {
        try {
          return loadConfig({ env, cwd });
        } catch (caught) {
          return caught;
        }
      })();
      expect(TrellisError.isInstance(error, 'CONFIG_INVALID')).toBe(true);
    }
  });
});
