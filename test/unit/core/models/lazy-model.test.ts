import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../../core/errors.js';
import { createLazyModel } from '../../../../core/models/lazy-model.js';

describe('createLazyModel', () => {
  it('loads once for concurrent callers and releases on dispose', async () => {
    let loads = 0;
    const released: string[] = [];
    const model = createLazyModel({ load: async () => `model-${++loads}`, release: async (value) => void released.push(value) });
    expect(model.state()).toEqual({ state: 'not-loaded' });
    expect(await Promise.all([model.get(), model.get()])).toEqual(['model-1', 'model-1']);
    expect(model.state()).toEqual({ state: 'loaded' });
    await model.dispose();
    expect(released).toEqual(['model-1']);
    expect(await model.get()).toBe('model-2');
  });

  it('fails fast during the back-off after a failed load, then tries again', async () => {
    let clock = 0;
    let attempts = 0;
    const model = createLazyModel({
      load: async () => {
        attempts += 1;
        if (attempts === 1) throw new TrellisError('MODEL_UNAVAILABLE', 'offline');
        return 'ready';
      },
      retryAfterMs: 1000,
      now: () => clock,
    });
    await expect(model.get()).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    expect(model.state()).toMatchObject({ state: 'failed', code: 'MODEL_UNAVAILABLE' });
    clock = 999;
    await expect(model.get()).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    expect(attempts).toBe(1);
    clock = 1000;
    expect(await model.get()).toBe('ready');
    expect(attempts).toBe(2);
  });

  it('wraps a foreign failure as MODEL_LOAD_FAILED', async () => {
    const model = createLazyModel({ load: async () => Promise.reject(new Error('boom')) });
    await expect(model.get()).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: 'Error: boom' });
  });
});
