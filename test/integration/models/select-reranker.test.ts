import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type TrellisConfigOverrides } from '../../../core/config.js';
import { TrellisError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/logger.js';
import { createRerankerHandle } from '../../../core/models/select-reranker.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { writeTinyCrossEncoder } from '../../helpers/tiny-cross-encoder.js';

describe('createRerankerHandle', () => {
  const temp = makeTempDir('trellis-reranker-handle-');
  afterAll(() => temp.remove());
  const configWith = (reranker: NonNullable<NonNullable<TrellisConfigOverrides['models']>['reranker']>) =>
    loadConfig({ env: {}, cwd: temp.dir, overrides: { dataDir: temp.dir, models: { cacheDir: path.join(temp.dir, 'cache'), reranker } } });

  it('is disabled by provider none and resolves to no reranker', async () => {
    const handle = createRerankerHandle(configWith({ provider: 'none' }), silentLogger);
    expect(handle.enabled).toBe(false);
    expect(await handle.get()).toBeUndefined();
    expect(handle.status()).toEqual({ state: 'disabled' });
  });

  it('loads a model directory from models.reranker.path on first use', async () => {
    const dir = await writeTinyCrossEncoder(path.join(temp.dir, 'tiny'));
    const handle = createRerankerHandle(configWith({ path: dir }), silentLogger);
    expect(handle.status()).toEqual({ state: 'not-loaded', modelId: dir });
    const reranker = await handle.get();
    expect(await reranker?.doRerank({ query: 'reset password', documents: ['reset it', 'cats'] })).toEqual({ scores: [2, 1] });
    expect(handle.status()).toEqual({ state: 'loaded', modelId: dir });
    await handle.dispose();
  });

  it('remembers a failed load in its status', async () => {
    const handle = createRerankerHandle(configWith({ path: path.join(temp.dir, 'absent') }), silentLogger);
    const error = await handle.get().catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'MODEL_UNAVAILABLE')).toBe(true);
    expect(handle.status()).toMatchObject({ state: 'failed', code: 'MODEL_UNAVAILABLE' });
  });

  it('refuses a catalogue model of another kind', async () => {
    const handle = createRerankerHandle(configWith({ model: 'bge-small-en-v1.5' }), silentLogger);
    const error = await handle.get().catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'CONFIG_INVALID')).toBe(true);
  });
});
