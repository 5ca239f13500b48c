import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../api/app.js';
import { TrellisError } from '../../../core/errors.js';
import { TRELLIS_VERSION } from '../../../core/version.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

describe('the API skeleton', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let app: FastifyInstance;
  beforeAll(async () => {
    runtime = await createTestRuntime({ limits: { requestBodyBytes: 2048 } });
    app = await buildApp({ runtime });
    // Routes that only exist in this test, to drive the shared error handler through real request parsing.
    app.post('/test/echo', { config: { scope: 'public' } }, async (request) => request.body);
    app.get('/test/fail', { config: { scope: 'public' } }, async () => {
      throw new TrellisError('KB_NOT_FOUND', 'knowledge base kb-1 not found');
    });
    app.get('/test/crash', { config: { scope: 'public' } }, async () => {
      throw new Error('secret internal detail');
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await runtime.dispose();
  });

  it('GET /healthz answers with the version and instance id', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', version: TRELLIS_VERSION, instanceId: runtime.instanceId });
  });

  it('GET /readyz lists every check and stays 200 when only degraded', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'degraded',
      checks: [
        { name: 'database', state: 'ok' },
        { name: 'checkpoints', state: 'ok' },
        { name: 'chat model', state: 'degraded', detail: 'retrieval-only mode' },
        { name: 'embedder', state: 'ok' },
        { name: 'reranker', state: 'ok', detail: 'disabled' },
        { name: 'vector store', state: 'ok', detail: 'off (keyword retrieval only)' },
      ],
    });
  });

  it('GET /readyz answers 503 once the database is gone', async () => {
    const other = await createTestRuntime();
    const otherApp = await buildApp({ runtime: other });
    other.db.close();
    const response = await otherApp.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'failed',
      checks: expect.arrayContaining([expect.objectContaining({ name: 'database', state: 'failed' })]),
    });
    await otherApp.close();
    await other.dispose();
  });

  it('unknown routes get the error envelope with a code and a hint', async () => {
    const response = await app.inject({ method: 'GET', url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'API_NOT_FOUND', message: 'no route GET /nope', hint: expect.any(String) },
    });
  });

  it('a TrellisError keeps its catalogue status and code', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/fail' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'KB_NOT_FOUND', message: 'knowledge base kb-1 not found', hint: expect.any(String) },
    });
  });

  it('an unexpected error is a 500 INTERNAL that leaks no detail', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/crash' });
    expect(response.statusCode).toBe(500);
    expect(response.json().error.code).toBe('INTERNAL');
    expect(response.body).not.toContain('secret internal detail');
  });

  it('malformed JSON is a 400 API_BODY_INVALID', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"unterminated": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('API_BODY_INVALID');
  });

  it('an oversized body is a 413 API_BODY_TOO_LARGE', async () => {
    const response = await app.inject({ method: 'POST', url: '/test/echo', payload: { text: 'x'.repeat(4096) } });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('API_BODY_TOO_LARGE');
  });

  it('an unsupported media type is a 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/x-unknown' },
      payload: 'x',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error.code).toBe('API_MEDIA_TYPE_UNSUPPORTED');
  });
});
