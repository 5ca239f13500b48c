import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { USER_FEEDBACK_NAME } from '../../core/tracing/feedback-service.js';
import type { FeedbackRecord } from '../../core/tracing/feedback-store.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import { principalOf } from '../plugins/auth.js';

const tags = ['feedback'];
const Id = z.string().min(1).max(256);
// Same path parameter name as the Agent Protocol's /threads/:thread_id routes, which share the /threads prefix.
const ThreadParams = z.object({ thread_id: Id });

/** A person's score on a run, as the API and the WebSocket `feedback` frame take it. */
export const FeedbackInput = {
  run_id: Id.describe('The run scored; it must be on this thread'),
  score: z.number().min(0).max(1).describe('0 to 1: thumbs up 1, thumbs down 0, or a rating scaled (4 of 5 stars: 0.75)'),
  comment: z.string().max(4000).optional(),
  name: z.string().min(1).max(100).optional().describe(`What is scored; \`${USER_FEEDBACK_NAME}\` by default`),
};

export const FeedbackSchema = z.object({
  id: z.string(),
  thread_id: z.string(),
  run_id: z.string(),
  trace_id: z.string().nullable().describe("The run's trace (GET /traces/{traceId}); the score is attached to it in Langfuse"),
  name: z.string(),
  score: z.number(),
  comment: z.string().nullable(),
  user_id: z.string().nullable().describe("The run's user (its metadata.user)"),
  created_at: z.string(),
});

/**
 * Feedback on runs: `POST /threads/{thread_id}/feedback` stores a score and sends it to Langfuse (when configured)
 * as a score on the run's trace; a Langfuse outage never fails the request. Chat scope: the people who chat rate.
 */
export async function feedbackRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { feedback, threads } = options.runtime;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const chat = { scope: 'chat' as const };

  routes.post(
    '/threads/:thread_id/feedback',
    {
      config: chat,
      schema: {
        tags,
        summary: "Score a run of this thread (thumbs up 1, down 0), with an optional comment; it becomes a Langfuse score on the run's trace",
        params: ThreadParams,
        body: z.strictObject(FeedbackInput),
        response: { 201: FeedbackSchema },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const thread = threads.get(tenantId, request.params.thread_id);
      const { run_id, score, comment, name } = request.body;
      const record = feedback.record({ tenantId, threadId: thread.id, runId: run_id, score, comment, name });
      return reply.code(201).send(feedbackToWire(record));
    },
  );

  routes.get(
    '/threads/:thread_id/feedback',
    {
      config: chat,
      schema: {
        tags,
        summary: "List this thread's feedback, newest first",
        params: ThreadParams,
        querystring: z.strictObject({ run_id: Id.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ data: z.array(FeedbackSchema) }) },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const thread = threads.get(tenantId, request.params.thread_id);
      return { data: feedback.list(tenantId, thread.id, { runId: request.query.run_id, limit: request.query.limit }).map(feedbackToWire) };
    },
  );
}

export function feedbackToWire(record: FeedbackRecord): z.input<typeof FeedbackSchema> {
  return {
    id: record.id,
    thread_id: record.threadId,
    run_id: record.runId,
    trace_id: record.traceId,
    name: record.name,
    score: record.score,
    comment: record.comment,
    user_id: record.userId,
    created_at: record.createdAt,
  };
}
