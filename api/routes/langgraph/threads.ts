import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import type { Thread } from '../../../runtime/threads.js';
import { principalOf } from '../../plugins/auth.js';
import type { ProtocolContext } from './protocol-context.js';
import { createThread, describeThread, findThread } from './protocol-threads.js';
import { HistoryBody, HistoryQuery, ThreadCreateBody, ThreadParams, ThreadPatchBody, ThreadSearchBody, WireThread, WireThreadState } from './schemas.js';
import { selectFields, sendWire, toWireState } from './wire.js';

const chat = { scope: 'chat' as const };
const tags = ['langgraph'];

/**
 * Threads of the protocol: the tenant's Trellis threads, with their state and history read from the checkpointer.
 * Every id is looked up within the caller's tenant; another tenant's thread answers THREAD_NOT_FOUND.
 */
export async function threadRoutes(app: FastifyInstance, options: { context: ProtocolContext }): Promise<void> {
  const { context } = options;
  const { runtime } = context;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tenantOf = (request: FastifyRequest) => principalOf(request).tenantId;

  routes.post(
    '/threads',
    { config: chat, schema: { tags, summary: 'Create a thread (optionally with your own id)', body: ThreadCreateBody, response: { 200: WireThread } } },
    async (request, reply) => {
      const { thread_id: threadId, metadata, if_exists: ifExists, supersteps, ttl } = request.body;
      if (supersteps?.length) throw new TrellisError('LANGGRAPH_UNSUPPORTED', 'supersteps (creating a thread with prefilled state) are not supported');
      if (ttl !== undefined && ttl !== null) throw new TrellisError('LANGGRAPH_UNSUPPORTED', 'ttl (threads that expire) is not supported');
      const thread = createThread(runtime, context.catalog, tenantOf(request), { threadId, metadata: metadata ?? {}, ifExists: ifExists ?? 'raise' });
      return sendWire(reply, await describeThread(runtime, thread));
    },
  );

  routes.post(
    '/threads/search',
    {
      config: chat,
      schema: {
        tags,
        summary: "Search the tenant's threads by metadata or ids, most recently updated first",
        body: ThreadSearchBody,
        response: { 200: z.array(WireThread.partial()) },
      },
    },
    async (request, reply) => {
      const { metadata, ids, status, values, limit = 10, offset = 0, select } = request.body;
      if (status) throw new TrellisError('LANGGRAPH_UNSUPPORTED', 'searching threads by status is not supported; filter on metadata or ids');
      if (values && Object.keys(values).length > 0) throw new TrellisError('LANGGRAPH_UNSUPPORTED', 'searching threads by state values is not supported');
      const tenantId = tenantOf(request);
      const found = ids?.length
        ? ids
            .map((id) => findThread(runtime, tenantId, id))
            .filter((thread): thread is Thread => thread !== undefined && matchesMetadata(thread, metadata))
            .slice(offset, offset + limit)
        : runtime.threads.search(tenantId, { metadata: metadata ?? undefined, limit, offset });
      if (found.length === limit) reply.header('x-pagination-next', String(offset + limit));
      const described = await Promise.all(found.map((thread) => describeThread(runtime, thread, select)));
      return sendWire(reply, described.map((thread) => selectFields(thread, select)));
    },
  );

  routes.get(
    '/threads/:thread_id',
    { config: chat, schema: { tags, summary: 'Get a thread, with its status and current values', params: ThreadParams, response: { 200: WireThread } } },
    async (request, reply) => sendWire(reply, await describeThread(runtime, runtime.threads.get(tenantOf(request), request.params.thread_id))),
  );

  routes.patch(
    '/threads/:thread_id',
    { config: chat, schema: { tags, summary: "Merge keys into a thread's metadata", params: ThreadParams, body: ThreadPatchBody, response: { 200: WireThread } } },
    async (request, reply) => {
      if (request.body.ttl !== undefined && request.body.ttl !== null) throw new TrellisError('LANGGRAPH_UNSUPPORTED', 'ttl (threads that expire) is not supported');
      const thread = runtime.threads.get(tenantOf(request), request.params.thread_id);
      return sendWire(reply, await describeThread(runtime, runtime.threads.updateMetadata(thread, request.body.metadata ?? {})));
    },
  );

  routes.delete(
    '/threads/:thread_id',
    { config: chat, schema: { tags, summary: 'Delete a thread with its runs and checkpoints (cancelling an active run)', params: ThreadParams } },
    async (request, reply) => {
      await runtime.runManager.deleteThread(tenantOf(request), request.params.thread_id);
      return reply.code(204).send();
    },
  );

  routes.get(
    '/threads/:thread_id/state',
    { config: chat, schema: { tags, summary: "A thread's latest state: values, next nodes, pending interrupts", params: ThreadParams, response: { 200: WireThreadState } } },
    async (request, reply) => sendWire(reply, toWireState(await runtime.runs.state(tenantOf(request), request.params.thread_id))),
  );

  async function history(request: FastifyRequest, threadId: string, limit: number, before: string | undefined) {
    const snapshots = await runtime.runs.history(tenantOf(request), threadId, { limit, before });
    return snapshots.map(toWireState);
  }

  routes.post(
    '/threads/:thread_id/history',
    { config: chat, schema: { tags, summary: "A thread's checkpoints, newest first", params: ThreadParams, body: HistoryBody, response: { 200: z.array(WireThreadState) } } },
    async (request, reply) => {
      const { limit = 10, before, metadata, checkpoint } = request.body;
      if (metadata && Object.keys(metadata).length > 0) throw new TrellisError('LANGGRAPH_UNSUPPORTED', 'filtering history by metadata is not supported');
      if (checkpoint && Object.keys(checkpoint).length > 0) throw new TrellisError('LANGGRAPH_UNSUPPORTED', 'history of a subgraph checkpoint is not supported');
      const beforeId = typeof before === 'string' ? before : before?.configurable?.checkpoint_id;
      return sendWire(reply, await history(request, request.params.thread_id, limit, beforeId));
    },
  );

  routes.get(
    '/threads/:thread_id/history',
    { config: chat, schema: { tags, summary: "A thread's checkpoints, newest first", params: ThreadParams, querystring: HistoryQuery, response: { 200: z.array(WireThreadState) } } },
    async (request, reply) => sendWire(reply, await history(request, request.params.thread_id, request.query.limit ?? 10, request.query.before)),
  );
}

function matchesMetadata(thread: Thread, filter: Readonly<Record<string, unknown>> | null | undefined): boolean {
  return Object.entries(filter ?? {}).every(([key, value]) => isDeepStrictEqual(thread.metadata[key], value));
}
