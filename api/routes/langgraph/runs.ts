import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import type { RunHandle } from '../../../runtime/run-manager.js';
import { principalOf } from '../../plugins/auth.js';
import type { ProtocolContext } from './protocol-context.js';
import { launchRun, type LaunchedRun } from './run-launcher.js';
import { assertRunOnThread, runOutput } from './run-output.js';
import { streamModesOf } from './run-plan.js';
import { streamRun } from './run-stream.js';
import {
  CancelQuery,
  JoinStreamQuery,
  RunCreateBody,
  RunListQuery,
  RunParams,
  StatelessRunParams,
  ThreadParams,
  WIRE_STREAM_MODES,
  WireRun,
  WireRunOutput,
  type WireStreamMode,
} from './schemas.js';
import { openSse } from './sse.js';
import { runStatusesOf, selectFields, sendWire, toWireRun } from './wire.js';

const chat = { scope: 'chat' as const };
const tags = ['langgraph'];

/**
 * Runs: on a thread (`/threads/:thread_id/runs...`) or stateless on a temporary thread (`/runs...`); started in the
 * background (create), streamed as server-sent events (stream), or awaited (wait). A run goes on when its client
 * goes away, unless it was started with `on_disconnect: "cancel"`; join and joinStream follow it again.
 */
export async function runRoutes(app: FastifyInstance, options: { context: ProtocolContext }): Promise<void> {
  const { context } = options;
  const { runManager } = context.runtime;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tenantOf = (request: FastifyRequest) => principalOf(request).tenantId;

  /** Answers with the run's final output; the run is cancelled if the client leaves first and asked for that. */
  async function answerWhenDone(request: FastifyRequest, reply: FastifyReply, run: LaunchedRun): Promise<FastifyReply> {
    const tenantId = tenantOf(request);
    reply.header('content-location', run.location);
    if (run.plan.cancelOnDisconnect) {
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) void runManager.cancel(tenantId, run.handle.run.id);
      });
    }
    return sendWire(reply, await runOutput(context, tenantId, run.handle));
  }

  // Stream responses carry `Location`: where the SDK reconnects, with Last-Event-ID, if the connection breaks.
  async function streamLaunched(request: FastifyRequest, reply: FastifyReply, run: LaunchedRun, reconnectPath: string): Promise<void> {
    const tenantId = tenantOf(request);
    const sse = openSse(reply, { 'content-location': run.location, location: reconnectPath });
    await streamRun(sse, run.handle, {
      modes: run.plan.streamModes,
      subgraphs: run.plan.subgraphs,
      onDisconnect: run.plan.cancelOnDisconnect ? () => void runManager.cancel(tenantId, run.handle.run.id) : undefined,
    });
  }

  /** Follows a run again: the modes it was started with unless the query names a subset, after Last-Event-ID. */
  async function joinStream(request: FastifyRequest, query: z.output<typeof JoinStreamQuery>, reply: FastifyReply, handle: RunHandle, location: string) {
    const tenantId = tenantOf(request);
    const kwargs = handle.run.request;
    const modes = query.stream_mode ? streamModesOf(query.stream_mode) : modesOfRun(kwargs.stream_mode);
    const afterSeq = lastEventIdOf(request);
    const sse = openSse(reply, { 'content-location': location, location: `${location}/stream` });
    await streamRun(sse, handle, {
      modes,
      subgraphs: kwargs.stream_subgraphs === true,
      afterSeq,
      onDisconnect: query.cancel_on_disconnect ? () => void runManager.cancel(tenantId, handle.run.id) : undefined,
    });
  }

  routes.post(
    '/threads/:thread_id/runs',
    { config: chat, schema: { tags, summary: 'Start a run in the background', params: ThreadParams, body: RunCreateBody, response: { 200: WireRun } } },
    async (request, reply) => {
      const run = launchRun(context, tenantOf(request), request.params.thread_id, request.body);
      reply.header('content-location', run.location);
      return toWireRun(run.handle.run, run.plan.assistant.id);
    },
  );

  routes.post(
    '/threads/:thread_id/runs/stream',
    { config: chat, schema: { tags, summary: 'Start a run and stream it as server-sent events', params: ThreadParams, body: RunCreateBody } },
    async (request, reply) => {
      const { thread_id: threadId } = request.params;
      const run = launchRun(context, tenantOf(request), threadId, request.body);
      await streamLaunched(request, reply, run, `/threads/${threadId}/runs/${run.handle.run.id}/stream`);
    },
  );

  routes.post(
    '/threads/:thread_id/runs/wait',
    {
      config: chat,
      schema: { tags, summary: 'Run and answer with its final state values', params: ThreadParams, body: RunCreateBody, response: { 200: WireRunOutput } },
    },
    async (request, reply) => answerWhenDone(request, reply, launchRun(context, tenantOf(request), request.params.thread_id, request.body)),
  );

  routes.get(
    '/threads/:thread_id/runs',
    {
      config: chat,
      schema: { tags, summary: "List a thread's runs, newest first", params: ThreadParams, querystring: RunListQuery, response: { 200: z.array(WireRun.partial()) } },
    },
    async (request) => {
      const tenantId = tenantOf(request);
      const { limit, offset, status, select } = request.query;
      const statuses = status ? runStatusesOf(status) : undefined;
      if (statuses?.length === 0) {
        context.runtime.threads.get(tenantId, request.params.thread_id);
        return [];
      }
      return runManager
        .list(tenantId, request.params.thread_id, { limit, offset, statuses })
        .map((record) => selectFields(toWireRun(record, context.catalog.idOf(record.target)), select));
    },
  );

  routes.get(
    '/threads/:thread_id/runs/:run_id',
    { config: chat, schema: { tags, summary: 'Get a run', params: RunParams, response: { 200: WireRun } } },
    async (request) => {
      const record = runManager.get(tenantOf(request), request.params.run_id);
      assertRunOnThread(record, request.params.thread_id);
      return toWireRun(record, context.catalog.idOf(record.target));
    },
  );

  routes.get(
    '/threads/:thread_id/runs/:run_id/join',
    { config: chat, schema: { tags, summary: 'Wait for a run and answer with its final state values', params: RunParams, response: { 200: WireRunOutput } } },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      const handle = runManager.attach(tenantId, request.params.run_id);
      assertRunOnThread(handle.run, request.params.thread_id);
      return sendWire(reply, await runOutput(context, tenantId, handle));
    },
  );

  routes.get(
    '/threads/:thread_id/runs/:run_id/stream',
    {
      config: chat,
      schema: {
        tags,
        summary: 'Stream a run from its start, or after the event named by the Last-Event-ID header',
        params: RunParams,
        querystring: JoinStreamQuery,
      },
    },
    async (request, reply) => {
      const { thread_id: threadId, run_id: runId } = request.params;
      const handle = runManager.attach(tenantOf(request), runId);
      assertRunOnThread(handle.run, threadId);
      await joinStream(request, request.query, reply, handle, `/threads/${threadId}/runs/${runId}`);
    },
  );

  routes.post(
    '/threads/:thread_id/runs/:run_id/cancel',
    { config: chat, schema: { tags, summary: 'Cancel a run (202; 204 once it has stopped with wait=1)', params: RunParams, querystring: CancelQuery } },
    async (request, reply) => {
      const tenantId = tenantOf(request);
      assertRunOnThread(runManager.get(tenantId, request.params.run_id), request.params.thread_id);
      const cancelled = runManager.cancel(tenantId, request.params.run_id);
      if (request.query.wait) {
        await cancelled;
        return reply.code(204).send();
      }
      return reply.code(202).send();
    },
  );

  routes.post(
    '/runs',
    { config: chat, schema: { tags, summary: 'Start a stateless run in the background', body: RunCreateBody, response: { 200: WireRun } } },
    async (request, reply) => {
      const run = launchRun(context, tenantOf(request), undefined, request.body);
      reply.header('content-location', run.location);
      return toWireRun(run.handle.run, run.plan.assistant.id);
    },
  );

  routes.post(
    '/runs/stream',
    { config: chat, schema: { tags, summary: 'Run on a temporary thread and stream it as server-sent events', body: RunCreateBody } },
    async (request, reply) => {
      const run = launchRun(context, tenantOf(request), undefined, request.body);
      await streamLaunched(request, reply, run, `/runs/${run.handle.run.id}/stream`);
    },
  );

  routes.post(
    '/runs/wait',
    { config: chat, schema: { tags, summary: 'Run on a temporary thread and answer with its final state values', body: RunCreateBody, response: { 200: WireRunOutput } } },
    async (request, reply) => answerWhenDone(request, reply, launchRun(context, tenantOf(request), undefined, request.body)),
  );

  routes.get(
    '/runs/:run_id/stream',
    { config: chat, schema: { tags, summary: 'Stream a run by its id alone', params: StatelessRunParams, querystring: JoinStreamQuery } },
    async (request, reply) => {
      const handle = runManager.attach(tenantOf(request), request.params.run_id);
      await joinStream(request, request.query, reply, handle, `/runs/${request.params.run_id}`);
    },
  );
}

/** The stream modes a run was started with, from its stored request. */
function modesOfRun(stored: unknown): readonly WireStreamMode[] {
  const known = Array.isArray(stored) ? stored.filter((mode): mode is WireStreamMode => (WIRE_STREAM_MODES as readonly unknown[]).includes(mode)) : [];
  return known.length > 0 ? known : ['values'];
}

function lastEventIdOf(request: FastifyRequest): number {
  const header = request.headers['last-event-id'];
  if (header === undefined || header === '') return 0;
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) {
    throw new TrellisError('API_BODY_INVALID', 'Last-Event-ID must be the id of an event this server sent');
  }
  return Number(header);
}
