import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseTimeBound } from '../../core/tracing/time-bound.js';
import { walkTree, type StoredSpan, type TraceSummary } from '../../core/tracing/trace-tree.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import { principalOf } from '../plugins/auth.js';

const tags = ['traces'];
const SpanStatusSchema = z.enum(['ok', 'error', 'unset']);
const Id = z.string().min(1).max(256);

const TraceSummarySchema = z.object({
  trace_id: z.string(),
  name: z.string().describe('The root span: `run <target>` for a run'),
  thread_id: z.string().nullable(),
  run_id: z.string().nullable(),
  user_id: z.string().nullable(),
  agent: z.string().nullable().describe('The graph or agent the run ran'),
  status: SpanStatusSchema.describe("The root span's status; `unset` while the run is still going"),
  status_message: z.string().nullable(),
  start_time: z.string().describe('ISO 8601'),
  end_time: z.string(),
  duration_ms: z.number(),
  span_count: z.number().int(),
  error_count: z.number().int().describe('Spans that failed: a run can succeed after a failed tool call'),
  input_tokens: z.number().int().nullable().describe("Summed over the trace's LLM calls; null when none reported usage"),
  output_tokens: z.number().int().nullable(),
  cost_usd: z.number().nullable().describe('Estimated from tracing.prices; null without a price for the model'),
  complete: z.boolean().describe('False while the root span is not stored yet: spans are stored as they end'),
});

const SpanSchema = z.object({
  span_id: z.string(),
  parent_span_id: z.string().nullable(),
  depth: z.number().int().describe('0 for a root; each span comes after its parent'),
  name: z.string(),
  kind: z.string().describe('run, node, llm, tool, retrieval, ingest, eval or other'),
  status: SpanStatusSchema,
  status_message: z.string().nullable(),
  start_time: z.string(),
  end_time: z.string(),
  duration_ms: z.number(),
  model: z.string().nullable(),
  input_tokens: z.number().int().nullable(),
  output_tokens: z.number().int().nullable(),
  cost_usd: z.number().nullable(),
  attributes: z.record(z.string(), z.unknown()).describe('Redacted; inputs and outputs unless tracing.local.includeContent is off'),
  events: z.array(z.unknown()),
});

const TraceListQuery = z.strictObject({
  thread_id: Id.optional(),
  run_id: Id.optional(),
  agent: z.string().min(1).max(200).optional(),
  status: SpanStatusSchema.optional().describe("The root span's status"),
  since: z.string().max(64).optional().describe('Traces started at or after: ISO 8601, epoch ms, or a duration ago (15m, 2h, 7d)'),
  until: z.string().max(64).optional().describe('Traces started before: same forms as since'),
  min_duration_ms: z.coerce.number().min(0).optional(),
  max_duration_ms: z.coerce.number().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional().describe('The next_cursor of the previous page'),
});

/**
 * The local trace viewer: the tenant's traces, newest first with filters, and one trace as a tree. Gated on the
 * `chat` scope, like threads: traces hold the prompts and answers of the tenant's own conversations, which a chat
 * key can already read through the thread state. Another tenant's trace id answers 404 TRACE_NOT_FOUND.
 */
export async function traceRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { traces, now } = options.runtime;
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const chat = { scope: 'chat' as const };

  routes.get(
    '/traces',
    {
      config: chat,
      schema: {
        tags,
        summary: "List this tenant's traces (one per run), newest first, with filters",
        querystring: TraceListQuery,
        response: {
          200: z.object({
            data: z.array(TraceSummarySchema),
            next_cursor: z.string().nullable().describe('Pass it as `cursor` for the next page; null on the last page'),
          }),
        },
      },
    },
    async (request) => {
      const { query } = request;
      const at = now().getTime();
      const page = traces.list({
        tenantId: principalOf(request).tenantId,
        threadId: query.thread_id,
        runId: query.run_id,
        agent: query.agent,
        status: query.status,
        since: query.since === undefined ? undefined : parseTimeBound(query.since, at, 'since'),
        until: query.until === undefined ? undefined : parseTimeBound(query.until, at, 'until'),
        minDurationMs: query.min_duration_ms,
        maxDurationMs: query.max_duration_ms,
        limit: query.limit,
        cursor: query.cursor,
      });
      return { data: page.traces.map(summaryToWire), next_cursor: page.nextCursor };
    },
  );

  routes.get(
    '/traces/:traceId',
    {
      config: chat,
      schema: {
        tags,
        summary: 'Get one trace as a tree: its spans in reading order (each after its parent, siblings by start) with their depth',
        params: z.object({ traceId: Id }),
        response: {
          200: z.object({
            trace: TraceSummarySchema,
            spans: z.array(SpanSchema),
            omitted_spans: z.number().int().describe('Spans left out of a very large trace (the latest-starting ones)'),
          }),
        },
      },
    },
    async (request) => {
      const tree = traces.get(principalOf(request).tenantId, request.params.traceId);
      return {
        trace: summaryToWire(tree.summary),
        spans: [...walkTree(tree.roots)].map(({ span, depth }) => spanToWire(span, depth)),
        omitted_spans: tree.omittedSpans,
      };
    },
  );
}

function summaryToWire(summary: TraceSummary): z.input<typeof TraceSummarySchema> {
  return {
    trace_id: summary.traceId,
    name: summary.name,
    thread_id: summary.threadId,
    run_id: summary.runId,
    user_id: summary.userId,
    agent: summary.agent,
    status: summary.status,
    status_message: summary.statusMessage,
    start_time: new Date(summary.startMs).toISOString(),
    end_time: new Date(summary.endMs).toISOString(),
    duration_ms: summary.durationMs,
    span_count: summary.spanCount,
    error_count: summary.errorCount,
    input_tokens: summary.inputTokens,
    output_tokens: summary.outputTokens,
    cost_usd: summary.costUsd,
    complete: summary.complete,
  };
}

function spanToWire(span: StoredSpan, depth: number): z.input<typeof SpanSchema> {
  return {
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    depth,
    name: span.name,
    kind: span.kind,
    status: span.status,
    status_message: span.statusMessage,
    start_time: new Date(span.startMs).toISOString(),
    end_time: new Date(span.endMs).toISOString(),
    duration_ms: span.durationMs,
    model: span.model,
    input_tokens: span.inputTokens,
    output_tokens: span.outputTokens,
    cost_usd: span.costUsd,
    attributes: { ...span.attributes },
    events: [...span.events],
  };
}
