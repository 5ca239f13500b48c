/**
 * Span attribute names, in one place: OpenTelemetry's GenAI semantic conventions where they exist, Langfuse's own
 * attributes (which its OTel ingestion maps to trace, session, user and observation fields), and Trellis's.
 */
export const ATTR = {
  // Trellis: set on every span of a run when the span is made, so each span is attributable on its own.
  spanKind: 'trellis.span.kind',
  tenantId: 'trellis.tenant.id',
  threadId: 'trellis.thread.id',
  runId: 'trellis.run.id',
  agent: 'trellis.agent',
  node: 'trellis.node',
  costUsd: 'trellis.cost.usd',
  errorCode: 'trellis.error.code',
  /** The run's final status on its root span (`completed`, `interrupted`, `failed`, `cancelled`). */
  runStatus: 'trellis.run.status',
  /** A background job's id (an ingest job, an eval run) and final status, on every span of its trace. */
  jobId: 'trellis.job.id',
  jobStatus: 'trellis.job.status',
  /** An ingest's knowledge base; its counts are `trellis.ingest.<count>` (added, updated, chunks_indexed, ...). */
  ingestKb: 'trellis.ingest.kb',
  ingestPrefix: 'trellis.ingest.',
  retrievalKb: 'trellis.retrieval.kb',
  /** The search mode asked for (`hybrid` unless the caller chose `keyword` or `dense`). */
  retrievalMode: 'trellis.retrieval.mode',
  retrievalHits: 'trellis.retrieval.hits',

  // OpenTelemetry GenAI semantic conventions.
  genAiOperation: 'gen_ai.operation.name',
  genAiSystem: 'gen_ai.system',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiFinishReasons: 'gen_ai.response.finish_reasons',
  genAiInputTokens: 'gen_ai.usage.input_tokens',
  genAiOutputTokens: 'gen_ai.usage.output_tokens',
  genAiToolName: 'gen_ai.tool.name',
  genAiToolCallId: 'gen_ai.tool.call.id',
  sessionId: 'session.id',
  userId: 'user.id',

  // Langfuse (https://langfuse.com/docs/opentelemetry): trace tree, sessions, users, generations.
  langfuseTraceName: 'langfuse.trace.name',
  langfuseSessionId: 'langfuse.session.id',
  langfuseUserId: 'langfuse.user.id',
  langfuseObservationType: 'langfuse.observation.type',
  langfuseInput: 'langfuse.observation.input',
  langfuseOutput: 'langfuse.observation.output',
  langfuseModel: 'langfuse.observation.model.name',
  langfuseUsage: 'langfuse.observation.usage_details',
  langfuseCost: 'langfuse.observation.cost_details',
  langfuseLevel: 'langfuse.observation.level',
  langfuseStatusMessage: 'langfuse.observation.status_message',
  langfuseTraceInput: 'langfuse.trace.input',
  langfuseTraceOutput: 'langfuse.trace.output',
} as const;

/** What a span stands for; the viewer groups and filters by it. */
export type SpanKind = 'run' | 'node' | 'llm' | 'tool' | 'retrieval' | 'ingest' | 'eval' | 'other';

/** Attributes that carry content (prompts, answers, arguments), dropped for sinks with `includeContent: false`. */
export const CONTENT_ATTRIBUTES: readonly string[] = [ATTR.langfuseInput, ATTR.langfuseOutput, ATTR.langfuseTraceInput, ATTR.langfuseTraceOutput];
