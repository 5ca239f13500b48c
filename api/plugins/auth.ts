import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { TrellisError } from '../../core/errors.js';
import { hasScope, type ApiKeys, type ApiKeyScope, type Principal } from '../../runtime/api-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts for; set by the auth hook before any handler runs (absent on public routes). */
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** The scope a key needs for this route (`chat` when unset); `public` routes need no key at all. */
    scope?: ApiKeyScope | 'public';
  }
}

export interface AuthOptions {
  readonly apiKeys: ApiKeys;
  readonly enabled: boolean;
}

/** Every request without auth acts as this principal: the `default` tenant's admin. For local experiments only. */
const ANONYMOUS_ADMIN: Principal = { keyId: 'anonymous', tenantId: 'default', scopes: ['admin'] };

/**
 * API-key authentication for every route, in `onRequest`: an unauthenticated request is refused before its body is
 * read. The key comes as `Authorization: Bearer` (OpenAI clients), `x-api-key` (LangGraph's SDK), or, for the
 * WebSocket upgrade only (browsers cannot set headers there), an `api_key` query parameter.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthOptions) => {
    app.decorateRequest('principal', undefined);
    app.addHook('onRequest', async (request) => {
      const scope = request.routeOptions.config.scope ?? 'chat';
      if (scope === 'public' || request.is404) return;
      const principal = options.enabled ? options.apiKeys.verify(presentedKey(request)) : ANONYMOUS_ADMIN;
      if (!hasScope(principal, scope)) {
        throw new TrellisError('AUTH_SCOPE_MISSING', `this route needs the ${scope} scope; the key has ${principal.scopes.join(', ')}`);
      }
      request.principal = principal;
    });
  },
  { name: 'trellis-auth' },
);

/** The principal of an authenticated route's request; routes call this instead of trusting a possibly-unset field. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new TrellisError('AUTH_REQUIRED', 'this request carries no verified API key');
  return request.principal;
}

function presentedKey(request: FastifyRequest): string {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new TrellisError('AUTH_INVALID', 'the Authorization header must be `Bearer <key>`');
    return match[1]!;
  }
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const query = request.query as Record<string, unknown> | undefined;
  if (request.headers.upgrade?.toLowerCase() === 'websocket' && typeof query?.api_key === 'string') return query.api_key;
  throw new TrellisError('AUTH_REQUIRED', 'no API key was sent');
}
