import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { principalOf } from '../../plugins/auth.js';
import { IngestJobSchema, KbParams, toIngestEventWire, toIngestJobWire } from './schemas.js';
import { streamEvents } from './event-stream.js';

const tags = ['ingest jobs'];
const JobParams = KbParams.extend({ jobId: z.string().min(1) });

/** An upload's ingest job: its state and per-file outcomes, and the same as a live stream of progress events. */
export async function ingestJobRoutes(app: FastifyInstance, options: { runtime: Runtime; closing: AbortSignal }): Promise<void> {
  const { knowledge, ingestJobs } = options.runtime;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/knowledge-bases/:kb/ingest-jobs/:jobId',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: "An ingest job's status, counts and each file's outcome (with its error code when it failed)",
        params: JobParams,
        response: { 200: IngestJobSchema },
      },
    },
    async (request) => {
      const kb = knowledge.knowledgeBases.getByName(principalOf(request).tenantId, request.params.kb);
      return toIngestJobWire(ingestJobs.get(kb.tenantId, kb.name, request.params.jobId));
    },
  );

  routes.get(
    '/knowledge-bases/:kb/ingest-jobs/:jobId/events',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: "An ingest job's progress as server-sent events",
        description:
          'Events `ingest-queued` (the job), `ingest-start`, `ingest-progress` (one per document or failed file, with the ' +
          'running counts) and `ingest-end` (the final job), after which the stream closes. Each frame has an `id`: ' +
          'reconnect with `Last-Event-ID` (or `?after=`) to get only what came after it.',
        params: JobParams,
        querystring: z.strictObject({ after: z.coerce.number().int().min(0).optional() }),
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const kb = knowledge.knowledgeBases.getByName(principalOf(request).tenantId, request.params.kb);
      const { jobId } = request.params;
      // Fails with INGEST_JOB_NOT_FOUND while an ordinary JSON answer can still be sent.
      ingestJobs.get(kb.tenantId, kb.name, jobId);
      const afterSeq = lastEventId(request.headers['last-event-id']) ?? request.query.after ?? 0;
      await streamEvents(
        reply,
        (signal) => ingestJobs.events(kb.tenantId, kb.name, jobId, afterSeq, signal),
        (event) => ({ id: event.seq, event: event.type, data: toIngestEventWire(event) }),
        options.closing,
      );
    },
  );
}

function lastEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
