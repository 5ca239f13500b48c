import { compileErrors, validate } from '@readme/openapi-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { recordFastifyRoutes, type RegisteredRoute } from '../../helpers/route-recorder.js';

const DOCUMENTED_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'PATCH']);

describe('the OpenAPI document', () => {
  let server: ApiServer;
  let routes: readonly RegisteredRoute[];
  let document: OpenAPIV3.Document;
  beforeAll(async () => {
    const recorder = recordFastifyRoutes();
    try {
      server = await startApiServer();
    } finally {
      recorder.stop();
    }
    routes = recorder.routes;
    const response = await fetch(`${server.url}/docs/json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenAPIV3.Document;
  });
  afterAll(async () => {
    await server.close();
  });

  it('is served at /docs/json without a key and validates as OpenAPI 3', async () => {
    expect(document.openapi).toMatch(/^3\./);
    const result = await validate(structuredClone(document));
    expect(result.valid ? '' : compileErrors(result)).toBe('');
  });

  it('is the same document at /openapi.json', async () => {
    const response = await fetch(`${server.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(document);
  });

  it('serves the reference UI at /docs', async () => {
    const response = await fetch(`${server.url}/docs/static/index.html`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('documents every route the app serves, except the ones hidden on purpose', () => {
    const served = routes
      .filter((route) => DOCUMENTED_METHODS.has(route.method) && !route.hidden)
      .map((route) => `${route.method} ${route.path}`);
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item ?? {})
        .filter((method) => DOCUMENTED_METHODS.has(method.toUpperCase()))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served).toEqual(expect.arrayContaining(['GET /metrics', 'GET /healthz', 'DELETE /keys/{keyId}']));
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort());
  });

  it('documents that /metrics needs an admin key', () => {
    expect(document.paths['/metrics']?.get?.summary).toContain('admin key');
  });
});
