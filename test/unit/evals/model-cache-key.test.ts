import { describe, expect, it } from 'vitest';
import { requestKey } from '../../../evals/run/model-cache.js';

describe('requestKey', () => {
  const request = { modelId: 'm', seed: 1, messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'f', parameters: { b: 1, a: 2 } }] };

  it('ignores key order at every depth and undefined fields', () => {
    const reordered = { tools: [{ parameters: { a: 2, b: 1 }, name: 'f' }], messages: [{ content: 'hi', role: 'user' }], seed: 1, modelId: 'm', temperature: undefined };
    expect(requestKey(reordered)).toBe(requestKey(request));
  });

  it('changes with anything that changes the answer', () => {
    const key = requestKey(request);
    expect(requestKey({ ...request, seed: 2 })).not.toBe(key);
    expect(requestKey({ ...request, modelId: 'other' })).not.toBe(key);
    expect(requestKey({ ...request, messages: [{ role: 'user', content: 'hi!' }] })).not.toBe(key);
    expect(requestKey({ ...request, tools: [] })).not.toBe(key);
    expect(requestKey({ ...request, temperature: 0 })).not.toBe(key);
  });
});
