import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { FastifyInstance, RouteOptions } from 'fastify';

export interface RegisteredRoute {
  readonly method: string;
  /** The route pattern as registered (`/keys/:keyId`). */
  readonly url: string;
  /** The pattern as OpenAPI writes it (`/keys/{keyId}`). */
  readonly path: string;
  /** Left out of the OpenAPI document on purpose (`schema.hide`). */
  readonly hidden: boolean;
}

export interface RouteRecorder {
  /** Every route registered by the Fastify instances created since the recorder started. */
  readonly routes: readonly RegisteredRoute[];
  stop(): void;
}

/**
 * Records the routes of every Fastify instance created while it listens. Fastify has no public route list, but it
 * announces each new instance on the `fastify.initialization` diagnostics channel (meant for instrumentation),
 * early enough for an `onRoute` hook to see every route, so tests can compare what an app serves with what it documents.
 */
export function recordFastifyRoutes(): RouteRecorder {
  const registered: RouteOptions[] = [];
  const onInstance = (message: unknown) => {
    const { fastify } = message as { fastify: FastifyInstance };
    fastify.addHook('onRoute', (route) => {
      registered.push(route);
    });
  };
  subscribe('fastify.initialization', onInstance);
  return {
    // Read when asked, not when registered: hooks that run later may still change a route (@fastify/websocket hides its own).
    get routes() {
      return registered.flatMap((route) => {
        const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide);
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        return methods.map((method) => ({ method: String(method).toUpperCase(), url: route.url, path: openApiPath(route.url), hidden }));
      });
    },
    stop: () => unsubscribe('fastify.initialization', onInstance),
  };
}

function openApiPath(url: string): string {
  return url.replace(/:(\w+)(\([^)]*\))?/g, '{$1}');
}
