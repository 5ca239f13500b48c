import { connect } from 'node:net';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../api/app.js';
import { MAX_JSON_DEPTH } from '../../../api/plugins/json-body.js';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { MALFORMATION_KINDS, malformedRequests, type MalformationKind, type MalformedRequest } from '../../helpers/malformed-requests.js';
import { fillPath, operationsOf, type ApiOperation } from '../../helpers/openapi-operations.js';
import { recordFastifyRoutes } from '../../helpers/route-recorder.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

/** Routes that need no key: health checks answer orchestrators, and the API reference is read before one has a key. */
const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/openapi.json']);
const isPublic = (path: string) => PUBLIC_PATHS.has(path) || path === '/docs' || path.startsWith('/docs/');
const BODY_LIMIT_BYTES = 32 * 1024;
/** Malformed requests in the property test: ≥ 1,000 across every route. */
const FUZZ_RUNS = 1200;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function documentedOperations(server: ApiServer): Promise<ApiOperation[]> {
  const response = await fetch(`${server.url}/docs/json`);
  return operationsOf((await response.json()) as OpenAPIV3.Document);
}

async function send(server: ApiServer, method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const response = await fetch(`${server.url}${url}`, { method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(15_000) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The code of a `{error: {code, message, hint}}` envelope, or undefined when the body is anything else. */
function envelopeCode(text: string): string | undefined {
  try {
    const { error } = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; hint?: unknown } };
    const coded = typeof error?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(error.code);
    return coded && typeof error.message === 'string' && typeof error.hint === 'string' && error.hint.length > 0 ? (error.code as string) : undefined;
  } catch {
    return undefined;
  }
}

/** Any value for each path param: authentication comes before looking a resource up. */
function samplePath(path: string): string {
  return fillPath(path, () => 'sample-id');
}

describe('authentication on every route', () => {
  let server: ApiServer;
  /** The documented operations, and the routes hidden from the document (the WebSocket upgrade) besides. */
  let guarded: { readonly method: string; readonly path: string }[];
  beforeAll(async () => {
    const recorder = recordFastifyRoutes();
    try {
      server = await startApiServer({ overrides: { auth: { rateLimitPerMinute: 0 } } });
    } finally {
      recorder.stop();
    }
    const documented = (await documentedOperations(server)).map(({ method, path }) => ({ method, path }));
    const hidden = recorder.routes
      .filter((route) => route.hidden && route.method !== 'HEAD' && route.method !== 'OPTIONS')
      .map(({ method, path }) => ({ method, path }));
    guarded = [...documented, ...hidden].filter((route) => !isPublic(route.path));
  });
  afterAll(async () => {
    await server.close();
  });

  async function failuresFor(headers: Record<string, string>, expectedCode: string): Promise<string[]> {
    const failures: string[] = [];
    for (const route of guarded) {
      const body = route.method === 'GET' ? undefined : '{}';
      const contentType: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
      const answer = await send(server, route.method, samplePath(route.path), { headers: { ...headers, ...contentType }, body });
      if (answer.status !== 401 || envelopeCode(answer.text) !== expectedCode) {
        failures.push(`${route.method} ${route.path}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    return failures;
  }

  it('derives the routes from the OpenAPI document and the app', () => {
    expect(guarded.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(['GET /metrics', 'GET /keys', 'POST /keys', 'DELETE /keys/{keyId}', 'GET /ws']),
    );
  });

  it('answers 401 AUTH_REQUIRED on every route when no key is sent', async () => {
    expect(await failuresFor({}, 'AUTH_REQUIRED')).toEqual([]);
  });

  it('answers 401 AUTH_INVALID on every route for unknown, garbled and revoked keys', async () => {
    const revoked = server.runtime.apiKeys.create({ tenantId: 'acme', scopes: ['admin'] });
    server.runtime.apiKeys.revoke(revoked.info.keyId, 'acme');
    const nearMiss = `${server.keys.admin.slice(0, -1)}${server.keys.admin.endsWith('a') ? 'b' : 'a'}`;
    const wrongKeys: Record<string, string>[] = [
      { authorization: 'Bearer trl_unknownkey_0123456789abcdef' },
      { authorization: `Bearer ${nearMiss}` },
      { authorization: `Bearer ${revoked.key}` },
      { authorization: 'Basic dXNlcjpwYXNzd29yZA==' },
      { authorization: `Bearer ${server.keys.admin} extra` },
      { 'x-api-key': 'not-a-key' },
    ];
    const failures = [];
    for (const headers of wrongKeys) {
      failures.push(...(await failuresFor(headers, 'AUTH_INVALID')).map((failure) => `${JSON.stringify(headers)} ${failure}`));
    }
    expect(failures).toEqual([]);
  });

  it('serves the public routes without a key', async () => {
    for (const pathname of [...PUBLIC_PATHS, '/docs/json']) expect((await send(server, 'GET', pathname)).status).toBe(200);
  });
});

describe(`${FUZZ_RUNS} malformed requests across every documented route`, () => {
  let server: ApiServer;
  let operations: ApiOperation[];
  let knownIds: string[];
  const kinds = new Set<MalformationKind>();
  const covered = new Set<string>();
  beforeAll(async () => {
    server = await startApiServer({
      script: [{ text: 'A scripted answer.' }],
      overrides: { limits: { requestBodyBytes: BODY_LIMIT_BYTES, uploadBytes: 2 * BODY_LIMIT_BYTES }, auth: { rateLimitPerMinute: 0 } },
    });
    operations = await documentedOperations(server);
    const thread = server.runtime.threads.create('acme', 'assistant');
    const run = server.runtime.runManager.start('acme', { target: 'assistant', threadId: thread.id, message: 'hello' });
    await run.done;
    server.runtime.knowledge.knowledgeBases.ensure('acme', 'docs');
    knownIds = [thread.id, run.run.id, 'docs'];
  });
  afterAll(async () => {
    await server.close();
  });

  function describeRequest(request: MalformedRequest): string {
    const body = request.body === undefined ? '' : ` body(${request.body.length} chars)=${JSON.stringify(request.body.slice(0, 300))}`;
    return `${request.kind}: ${request.operation.method} ${request.url.slice(0, 300)} content-type=${request.contentType ?? '-'}${body}`;
  }

  async function answerTo(request: MalformedRequest): Promise<Answer> {
    try {
      return await send(server, request.operation.method, request.url, {
        headers: { authorization: `Bearer ${server.keys.admin}`, ...(request.contentType ? { 'content-type': request.contentType } : {}) },
        body: request.body,
      });
    } catch (error) {
      throw new Error(`${describeRequest(request)} → no answer: ${String((error as Error).cause ?? error)}`);
    }
  }

  it('answers each with a 4xx and the error envelope (or, where a lenient route accepts it, a 2xx), never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(malformedRequests(operations, { bodyLimitBytes: BODY_LIMIT_BYTES, knownIds }), async (request) => {
        const answer = await answerTo(request);
        kinds.add(request.kind);
        covered.add(`${request.operation.method} ${request.operation.path}`);
        const rejected = answer.status >= 400 && answer.status < 500;
        const wellFormed = answer.status < 400 || envelopeCode(answer.text) !== undefined;
        if (answer.status >= 500 || !wellFormed || (request.mustReject && !rejected)) {
          throw new Error(`${describeRequest(request)} → ${answer.status} ${answer.text.slice(0, 300)}`);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
    expect([...covered].sort()).toEqual(operations.map((operation) => `${operation.method} ${operation.path}`).sort());
    expect([...kinds].sort()).toEqual([...MALFORMATION_KINDS].sort());
  }, 120_000);

  it('keeps serving afterwards, with Object.prototype untouched', async () => {
    expect((await send(server, 'GET', '/healthz')).status).toBe(200);
    expect((await server.request('/keys')).status).toBe(200);
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('requests refused before any route runs', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ overrides: { auth: { rateLimitPerMinute: 0 } } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a bad percent-encoding or an overlong id in the path with 400 API_URL_INVALID', async () => {
    for (const pathname of ['/keys/%E0%A4%A', '/keys/%zz', `/keys/${'a'.repeat(300)}`]) {
      const response = await server.request(pathname, { method: 'DELETE' });
      expect(response.status).toBe(400);
      expect(envelopeCode(await response.text())).toBe('API_URL_INVALID');
    }
  });

  it('answers a URL over the header limit with 431 API_HEADERS_TOO_LARGE', async () => {
    const response = await server.request(`/keys?junk=${'x'.repeat(20_000)}`);
    expect(response.status).toBe(431);
    expect(envelopeCode(await response.text())).toBe('API_HEADERS_TOO_LARGE');
  });

  it('answers HTTP it cannot parse with 400 API_REQUEST_MALFORMED, and keeps serving', async () => {
    const { hostname, port } = new URL(server.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write('NOT-A-METHOD / HTTP/1.1\r\n\r\n'));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(envelopeCode(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toBe('API_REQUEST_MALFORMED');
    expect((await server.request('/healthz')).status).toBe(200);
  });
});

describe('JSON bodies nested too deep', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let app: FastifyInstance;
  const nested = (depth: number) => `${'{"a":['.repeat(depth / 2)}1${']}'.repeat(depth / 2)}`;
  const post = (payload: string) => app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': 'application/json' }, payload });
  beforeAll(async () => {
    runtime = await createTestRuntime({ auth: { enabled: false } });
    app = await buildApp({ runtime });
    // A route that takes any JSON, as metadata and tool arguments do: only the nesting limit stands in the way.
    app.post('/test/echo', async (request) => ({ received: typeof request.body }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await runtime.dispose();
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more with 400 API_BODY_INVALID, before recursive code can overflow`, async () => {
    expect((await post(nested(MAX_JSON_DEPTH))).statusCode).toBe(200);
    const refused = await post(`[${nested(MAX_JSON_DEPTH)}]`);
    expect(refused.statusCode).toBe(400);
    expect(envelopeCode(refused.body)).toBe('API_BODY_INVALID');
  });

  it('does not count brackets inside strings', async () => {
    const payload = JSON.stringify({ text: `${'[{'.repeat(5000)}\\"` });
    expect((await post(payload)).statusCode).toBe(200);
  });
});

describe('rate limits per key', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ overrides: { auth: { rateLimitPerMinute: 3 } } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 429 API_RATE_LIMITED with Retry-After once a key is over its limit, and only for that key', async () => {
    for (let request = 0; request < 3; request++) expect((await server.request('/keys')).status).toBe(200);
    const limited = await server.request('/keys');
    expect(limited.status).toBe(429);
    expect(envelopeCode(await limited.text())).toBe('API_RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    expect((await server.request('/keys', { key: server.keys.otherTenant })).status).toBe(200);
    expect((await server.request('/keys', { key: server.createKey('acme', ['admin']) })).status).toBe(200);
    expect((await server.request('/healthz')).status).toBe(200);
  });
});

describe('CORS', () => {
  const origin = 'https://app.example';
  const preflight = { origin, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization, content-type' };

  describe('by default', () => {
    let server: ApiServer;
    beforeAll(async () => {
      server = await startApiServer();
    });
    afterAll(async () => {
      await server.close();
    });

    it('sends no CORS headers, to requests or preflights', async () => {
      const request = await server.request('/keys', { headers: { origin } });
      expect(request.status).toBe(200);
      expect(request.headers.get('access-control-allow-origin')).toBeNull();
      const answer = await send(server, 'OPTIONS', '/keys/some-key', { headers: preflight });
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('access-control-allow-methods')).toBeNull();
    });
  });

  describe('with server.corsOrigins', () => {
    let server: ApiServer;
    beforeAll(async () => {
      server = await startApiServer({ overrides: { server: { corsOrigins: [origin] } } });
    });
    afterAll(async () => {
      await server.close();
    });

    it('answers preflights from a listed origin without a key, for every method the API uses', async () => {
      const answer = await send(server, 'OPTIONS', '/keys/some-key', { headers: preflight });
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('access-control-allow-methods')).toContain('DELETE');
      expect(answer.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    });

    it('lets a listed origin read answers, errors and the Retry-After header included', async () => {
      const allowed = await server.request('/keys', { headers: { origin } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
      expect(allowed.headers.get('access-control-expose-headers')).toContain('Retry-After');
      const unauthenticated = await send(server, 'GET', '/keys', { headers: { origin } });
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get('access-control-allow-origin')).toBe(origin);
    });

    it('sends no allow-origin to other origins', async () => {
      const other = await server.request('/keys', { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
