import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_KEY_SCOPES, type ApiKeyInfo } from '../../runtime/api-keys.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import { principalOf } from '../plugins/auth.js';

const ApiKeySchema = z.object({
  id: z.string(),
  tenant: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  prefix: z.string().describe('The first characters of the key, to recognise it.'),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

/**
 * Key management for a tenant's admins: create, list, revoke keys of their own tenant. Keys of other tenants are
 * made on the server machine with `trellis keys create --tenant <t>`, so no API key can reach across tenants.
 */
export async function keyRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { apiKeys } = options.runtime;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const admin = { config: { scope: 'admin' as const } };

  routes.get(
    '/keys',
    { ...admin, schema: { tags: ['keys'], summary: "List this tenant's API keys", response: { 200: z.object({ data: z.array(ApiKeySchema) }) } } },
    async (request) => ({ data: apiKeys.list(principalOf(request).tenantId).map(toWire) }),
  );

  routes.post(
    '/keys',
    {
      ...admin,
      schema: {
        tags: ['keys'],
        summary: 'Create an API key for this tenant; the key is in this response only',
        body: z.strictObject({ scopes: z.array(z.enum(API_KEY_SCOPES)).min(1), name: z.string().max(200).optional() }),
        response: { 201: ApiKeySchema.extend({ key: z.string() }) },
      },
    },
    async (request, reply) => {
      const { key, info } = apiKeys.create({ tenantId: principalOf(request).tenantId, scopes: request.body.scopes, name: request.body.name });
      return reply.code(201).send({ ...toWire(info), key });
    },
  );

  routes.delete(
    '/keys/:keyId',
    {
      ...admin,
      schema: { tags: ['keys'], summary: 'Revoke an API key at once', params: z.object({ keyId: z.string().max(64) }), response: { 200: ApiKeySchema } },
    },
    async (request) => toWire(apiKeys.revoke(request.params.keyId, principalOf(request).tenantId)),
  );
}

function toWire(info: ApiKeyInfo) {
  return {
    id: info.keyId,
    tenant: info.tenantId,
    name: info.name,
    scopes: [...info.scopes],
    prefix: info.prefix,
    created_at: info.createdAt,
    last_used_at: info.lastUsedAt,
    revoked_at: info.revokedAt,
  };
}
