import { randomBytes } from 'node:crypto';
import type { StoredSpan } from '../../core/tracing/trace-tree.js';

/** Ids shaped as OpenTelemetry's: 32 hex digits for a trace, 16 for a span. */
export const newTraceId = () => randomBytes(16).toString('hex');
export const newSpanId = () => randomBytes(8).toString('hex');

/** One stored span with the fields a test does not care about filled in; `startMs` and `durationMs` set the timing. */
export function storedSpan(fields: Partial<StoredSpan> & Pick<StoredSpan, 'traceId' | 'name' | 'kind' | 'startMs' | 'durationMs'>): StoredSpan {
  return {
    spanId: newSpanId(),
    parentSpanId: null,
    tenantId: 'acme',
    threadId: null,
    runId: null,
    userId: null,
    agent: null,
    status: 'ok',
    statusMessage: null,
    model: null,
    inputTokens: null,
    outputTokens: null,
    costUsd: null,
    attributes: {},
    events: [],
    endMs: fields.startMs + fields.durationMs,
    ...fields,
  };
}

export interface RunTraceOptions {
  readonly tenantId?: string;
  readonly threadId?: string;
  readonly runId?: string;
  readonly userId?: string;
  readonly agent?: string;
  readonly startMs: number;
  /** The run's root span duration; its children fit inside it. */
  readonly durationMs?: number;
  /** The tool call fails (the run still ends ok, as an agent recovers from a failed tool). */
  readonly toolFails?: boolean;
  /** The run itself fails. */
  readonly runFails?: boolean;
}

/**
 * The spans of one agent run with a tool call, shaped as the tracing contract makes them: the `run <agent>` root,
 * graph nodes under it, two LLM calls (with tokens and cost) and a tool call. Returned children first, as spans end
 * and are exported.
 */
export function runTrace(options: RunTraceOptions): { traceId: string; rootSpanId: string; spans: StoredSpan[] } {
  const traceId = newTraceId();
  const agent = options.agent ?? 'assistant';
  const common = {
    traceId,
    tenantId: options.tenantId ?? 'acme',
    threadId: options.threadId ?? 'thread-1',
    runId: options.runId ?? 'run-1',
    userId: options.userId ?? null,
    agent,
  };
  const start = options.startMs;
  const duration = options.durationMs ?? 1000;
  const root = storedSpan({
    ...common,
    name: `run ${agent}`,
    kind: 'run',
    startMs: start,
    durationMs: duration,
    status: options.runFails ? 'error' : 'ok',
    statusMessage: options.runFails ? 'the model provider failed' : null,
    attributes: options.runFails ? { 'trellis.error.code': 'MODEL_CALL_FAILED' } : {},
  });
  const firstAgent = storedSpan({ ...common, parentSpanId: root.spanId, name: 'agent', kind: 'node', startMs: start + 1, durationMs: duration * 0.3 });
  const firstCall = storedSpan({
    ...common,
    parentSpanId: firstAgent.spanId,
    name: 'chat scripted',
    kind: 'llm',
    model: 'scripted',
    startMs: start + 2,
    durationMs: duration * 0.25,
    inputTokens: 100,
    outputTokens: 20,
    costUsd: 0.0015,
  });
  const tools = storedSpan({ ...common, parentSpanId: root.spanId, name: 'tools', kind: 'node', startMs: start + duration * 0.35, durationMs: duration * 0.3 });
  const toolCall = storedSpan({
    ...common,
    parentSpanId: tools.spanId,
    name: 'tool http_fetch',
    kind: 'tool',
    startMs: start + duration * 0.36,
    durationMs: duration * 0.25,
    status: options.toolFails ? 'error' : 'ok',
    statusMessage: options.toolFails ? 'the tool took longer than 100 ms' : null,
    attributes: options.toolFails ? { 'trellis.error.code': 'TOOL_TIMEOUT' } : {},
  });
  const secondAgent = storedSpan({ ...common, parentSpanId: root.spanId, name: 'agent', kind: 'node', startMs: start + duration * 0.7, durationMs: duration * 0.28 });
  const secondCall = storedSpan({
    ...common,
    parentSpanId: secondAgent.spanId,
    name: 'chat scripted',
    kind: 'llm',
    model: 'scripted',
    startMs: start + duration * 0.71,
    durationMs: duration * 0.25,
    inputTokens: 150,
    outputTokens: 30,
    costUsd: 0.0025,
  });
  return { traceId, rootSpanId: root.spanId, spans: [firstCall, firstAgent, toolCall, tools, secondCall, secondAgent, root] };
}
