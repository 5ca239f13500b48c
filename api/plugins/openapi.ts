import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { TRELLIS_VERSION } from '../../core/version.js';

/**
 * The OpenAPI 3 document, generated from every route's zod schemas: JSON at /docs/json (and /openapi.json), the
 * reference UI at /docs. Registered before the routes so that it sees each one as it is added.
 */
export const openApiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Trellis API',
          version: TRELLIS_VERSION,
          description:
            'Agents, graphs and knowledge bases over REST + SSE, WebSocket (/ws), an OpenAI-compatible /v1 and the LangGraph Agent Protocol. ' +
            'Every error is `{"error": {"code", "message", "hint"}}`.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `trellis keys create --tenant <t> --scopes chat`.' },
            apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          },
        },
        security: [{ bearer: [] }, { apiKey: [] }],
      },
      transform: createJsonSchemaTransform({ skipList: ['/docs', '/docs/*', '/openapi.json'] }),
    });
    // The reference is public, like the health checks: it holds no data, and a client needs it before it has a key.
    app.addHook('onRoute', (route) => {
      if (route.url === '/docs' || route.url.startsWith('/docs/')) route.config = { ...route.config, scope: 'public' };
      // Public routes say so in the document, so that clients and validators do not expect a key there.
      if (route.config?.scope === 'public') route.schema = { ...route.schema, security: [] };
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
    app.get('/openapi.json', { config: { scope: 'public' }, schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'trellis-openapi' },
);
