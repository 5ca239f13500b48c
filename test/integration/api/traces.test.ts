import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { newTraceId, runTrace } from '../../helpers/trace-fixtures.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const MINUTE = 60_000;

interface WireTrace {
  readonly trace_id: string;
  readonly [field: string]: unknown;
}

describe('GET /traces and /traces/{traceId}', () => {
  let server: ApiServer;
  const traces = {
    first: runTrace({ startMs: T0, durationMs: 800, threadId: 'thread-a', runId: 'run-1', userId: 'alice' }),
    toolFailed: runTrace({ startMs: T0 + MINUTE, durationMs: 1500, threadId: 'thread-b', runId: 'run-2', toolFails: true }),
    failed: runTrace({ startMs: T0 + 2 * MINUTE, durationMs: 4000, threadId: 'thread-a', runId: 'run-3', runFails: true, agent: 'researcher' }),
    globex: runTrace({ startMs: T0 + 3 * MINUTE, tenantId: 'globex', threadId: 'thread-x', runId: 'run-x' }),
  };
  const list = async (query: string, key?: string) => {
    const response = await server.request(`/traces${query}`, { key });
    return { status: response.status, body: (await response.json()) as { data: WireTrace[]; next_cursor: string | null } };
  };
  const ids = async (query: string) => (await list(query)).body.data.map((trace) => trace.trace_id);

  beforeAll(async () => {
    server = await startApiServer({ overrides: { auth: { rateLimitPerMinute: 0 } } });
    for (const trace of Object.values(traces)) server.runtime.traces.insert(trace.spans);
  });
  afterAll(async () => {
    await server.close();
  });

  it("lists the caller's tenant's traces, newest first, each with its totals", async () => {
    const { status, body } = await list('');
    expect(status).toBe(200);
    expect(body.data.map((trace) => trace.trace_id)).toEqual([traces.failed.traceId, traces.toolFailed.traceId, traces.first.traceId]);
    expect(body.next_cursor).toBeNull();
    expect(body.data[1]).toEqual({
      trace_id: traces.toolFailed.traceId,
      name: 'run assistant',
      thread_id: 'thread-b',
      run_id: 'run-2',
      user_id: null,
      agent: 'assistant',
      status: 'ok',
      status_message: null,
      start_time: '2026-11-20T10:01:00.000Z',
      end_time: '2026-11-20T10:01:01.500Z',
      duration_ms: 1500,
      span_count: 7,
      error_count: 1,
      input_tokens: 250,
      output_tokens: 50,
      cost_usd: expect.closeTo(0.004, 10),
      complete: true,
    });
    expect(body.data[0]).toMatchObject({ status: 'error', status_message: 'the model provider failed', agent: 'researcher' });
  });

  it('filters by thread, run, agent, status, time and latency, with snake_case query parameters', async () => {
    expect(await ids('?thread_id=thread-a')).toEqual([traces.failed.traceId, traces.first.traceId]);
    expect(await ids('?run_id=run-2')).toEqual([traces.toolFailed.traceId]);
    expect(await ids('?agent=researcher')).toEqual([traces.failed.traceId]);
    expect(await ids('?status=ok')).toEqual([traces.toolFailed.traceId, traces.first.traceId]);
    expect(await ids(`?since=${encodeURIComponent('2026-11-20T10:01:00Z')}&until=${T0 + 2 * MINUTE}`)).toEqual([traces.toolFailed.traceId]);
    expect(await ids('?min_duration_ms=1000&max_duration_ms=2000')).toEqual([traces.toolFailed.traceId]);
    expect(await ids('?thread_id=thread-x')).toEqual([]);
  });

  it('pages with limit and cursor', async () => {
    const first = await list('?limit=2');
    expect(first.body.data).toHaveLength(2);
    const second = await list(`?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.data.map((trace) => trace.trace_id)).toEqual([traces.first.traceId]);
    expect(second.body.next_cursor).toBeNull();
  });

  it('returns one trace as a tree: spans in reading order with their depth, and the totals', async () => {
    const response = await server.request(`/traces/${traces.toolFailed.traceId}`, { key: server.keys.chat });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { trace: WireTrace; spans: Record<string, unknown>[]; omitted_spans: number };
    expect(body.trace).toMatchObject({ trace_id: traces.toolFailed.traceId, span_count: 7, error_count: 1, complete: true });
    expect(body.omitted_spans).toBe(0);
    expect(body.spans.map((span) => `${span.depth} ${span.kind} ${span.name}`)).toEqual([
      '0 run run assistant',
      '1 node agent',
      '2 llm chat scripted',
      '1 node tools',
      '2 tool tool http_fetch',
      '1 node agent',
      '2 llm chat scripted',
    ]);
    const [root, firstNode, firstCall] = body.spans;
    expect(root!.parent_span_id).toBeNull();
    expect(firstNode!.parent_span_id).toBe(root!.span_id);
    expect(firstCall).toMatchObject({ parent_span_id: firstNode!.span_id, model: 'scripted', input_tokens: 100, output_tokens: 20, cost_usd: 0.0015 });
    expect(body.spans[4]).toMatchObject({
      status: 'error',
      status_message: 'the tool took longer than 100 ms',
      attributes: { 'trellis.error.code': 'TOOL_TIMEOUT' },
      events: [],
    });
  });

  it("answers 404 TRACE_NOT_FOUND for another tenant's trace and for unknown ids, and never lists across tenants", async () => {
    for (const [traceId, key] of [
      [traces.first.traceId, server.keys.otherTenant],
      [traces.globex.traceId, server.keys.admin],
      [newTraceId(), server.keys.admin],
    ] as const) {
      const response = await server.request(`/traces/${traceId}`, { key });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'TRACE_NOT_FOUND', message: `trace ${traceId} not found`, hint: expect.any(String), details: { traceId } } });
    }
    expect((await list('', server.keys.otherTenant)).body.data.map((trace) => trace.trace_id)).toEqual([traces.globex.traceId]);
  });

  it('refuses malformed filters with 400 and a code', async () => {
    const cases: [string, string][] = [
      ['?limit=0', 'API_BODY_INVALID'],
      ['?limit=500', 'API_BODY_INVALID'],
      ['?min_duration_ms=abc', 'API_BODY_INVALID'],
      ['?status=failed', 'API_BODY_INVALID'],
      ['?threadId=thread-a', 'API_BODY_INVALID'],
      ['?since=yesterday', 'TRACE_QUERY_INVALID'],
      ['?until=2026-13-01', 'TRACE_QUERY_INVALID'],
      ['?cursor=not-a-cursor', 'TRACE_QUERY_INVALID'],
    ];
    for (const [query, code] of cases) {
      const { status, body } = await list(query);
      expect({ query, status, code: (body as unknown as { error: { code: string } }).error.code }).toEqual({ query, status: 400, code });
    }
  });

  it('needs a key with the chat scope', async () => {
    expect((await list('', server.keys.chat)).status).toBe(200);
    const ingestOnly = await list('', server.keys.ingest);
    expect(ingestOnly.status).toBe(403);
    expect((await fetch(`${server.url}/traces`)).status).toBe(401);
  });
});
