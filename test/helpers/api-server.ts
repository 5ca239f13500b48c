import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import type { TrellisConfigOverrides } from '../../core/config.js';
import type { ScriptedTurn } from '../../core/models/scripted-chat-model.js';
import type { ApiKeyScope } from '../../runtime/api-keys.js';
import { makeTempDir } from './temp-dir.js';
import { createTestRuntime } from './test-runtime.js';

export interface ApiServerOptions {
  /** Turns of the scripted chat model (played in a loop); the server is in retrieval-only mode without them. */
  readonly script?: readonly ScriptedTurn[];
  readonly overrides?: TrellisConfigOverrides;
}

export interface ApiServer {
  /** `http://127.0.0.1:<port>`, the real server listening on a random loopback port. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  /** Keys made at start: tenant `acme` (admin; chat; ingest) and tenant `globex` (admin). */
  readonly keys: { readonly admin: string; readonly chat: string; readonly ingest: string; readonly otherTenant: string };
  /** Another key for any tenant and scopes. */
  createKey(tenantId: string, scopes: readonly ApiKeyScope[]): string;
  /** `fetch` with a key (the admin key unless given) as a Bearer token. */
  request(pathname: string, init?: RequestInit & { key?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The API as a client meets it: a runtime on a throwaway data dir, the Fastify app listening on 127.0.0.1:0, and
 * API keys for two tenants. Pass `dataDir` in overrides to restart a server on the same data.
 */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const scriptDir = makeTempDir('trellis-script-');
  const scriptPath = path.join(scriptDir.dir, 'script.json');
  if (options.script) writeFileSync(scriptPath, JSON.stringify(options.script));
  const overrides = options.overrides ?? {};
  const runtime = await createTestRuntime({
    ...overrides,
    models: {
      ...(options.script ? { chat: { provider: 'scripted', scriptPath } } : { chat: { provider: 'none' } }),
      ...overrides.models,
    },
  });
  const app = await buildApp({ runtime });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const createKey = (tenantId: string, scopes: readonly ApiKeyScope[]) => runtime.apiKeys.create({ tenantId, scopes }).key;
  const keys = {
    admin: createKey('acme', ['admin']),
    chat: createKey('acme', ['chat']),
    ingest: createKey('acme', ['ingest']),
    otherTenant: createKey('globex', ['admin']),
  };
  return {
    url,
    app,
    runtime,
    keys,
    createKey,
    request(pathname, init = {}) {
      const { key = keys.admin, json, headers, ...rest } = init;
      return fetch(`${url}${pathname}`, {
        ...rest,
        headers: {
          authorization: `Bearer ${key}`,
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(headers as Record<string, string> | undefined),
        },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
    async close() {
      await app.close();
      await runtime.dispose();
      scriptDir.remove();
    },
  };
}
