import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../core/db.js';
import { TrellisError } from '../../../core/errors.js';
import { parseTimeBound } from '../../../core/tracing/time-bound.js';
import { TraceStore } from '../../../core/tracing/trace-store.js';
import { walkTree, type StoredSpan } from '../../../core/tracing/trace-tree.js';
import { runtimeMigrations } from '../../../runtime/migrations.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { newTraceId, runTrace, storedSpan } from '../../helpers/trace-fixtures.js';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const MINUTE = 60_000;

function openStore(): { db: SqliteDatabase; store: TraceStore; close: () => void } {
  const temp = makeTempDir();
  const { db } = openDatabase({ file: path.join(temp.dir, 'trellis.db'), migrations: runtimeMigrations });
  return {
    db,
    store: new TraceStore(db),
    close: () => {
      db.close();
      temp.remove();
    },
  };
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (TrellisError.isInstance(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('TraceStore.list', () => {
  let store: TraceStore;
  let close: () => void;
  // Five runs a minute apart for acme and one for globex, in an order unlike their start times.
  const traces = {
    slowFailed: runTrace({ startMs: T0 + 3 * MINUTE, durationMs: 9000, threadId: 'thread-a', runId: 'run-3', runFails: true }),
    first: runTrace({ startMs: T0, durationMs: 800, threadId: 'thread-a', runId: 'run-1' }),
    toolFailed: runTrace({ startMs: T0 + MINUTE, durationMs: 1200, threadId: 'thread-b', runId: 'run-2', toolFails: true }),
    researcher: runTrace({ startMs: T0 + 4 * MINUTE, durationMs: 3000, threadId: 'thread-c', runId: 'run-4', agent: 'researcher' }),
    sameStart: runTrace({ startMs: T0 + MINUTE, durationMs: 500, threadId: 'thread-b', runId: 'run-5' }),
    otherTenant: runTrace({ startMs: T0 + 2 * MINUTE, tenantId: 'globex', threadId: 'thread-x', runId: 'run-x' }),
  };
  const idsOf = (page: { traces: readonly { traceId: string }[] }) => page.traces.map((trace) => trace.traceId);

  beforeAll(() => {
    ({ store, close } = openStore());
    for (const trace of Object.values(traces)) store.insert(trace.spans);
    // A run still going: its children are stored, its root is not yet.
    const running = runTrace({ startMs: T0 + 5 * MINUTE, threadId: 'thread-a', runId: 'run-6' });
    store.insert(running.spans.filter((span) => span.parentSpanId !== null));
  });
  afterAll(() => close());

  it("lists a tenant's finished traces by their root spans, newest first, with totals over each trace", () => {
    const page = store.list({ tenantId: 'acme', limit: 50 });
    const byStart = [traces.researcher, traces.slowFailed, traces.sameStart, traces.toolFailed, traces.first].map((trace) => trace.traceId);
    // Two traces started in the same millisecond come in span-id order, newest-first's tie-break.
    const tied = [traces.sameStart, traces.toolFailed].sort((left, right) => (left.rootSpanId > right.rootSpanId ? -1 : 1)).map((trace) => trace.traceId);
    expect(idsOf(page)).toEqual([byStart[0], byStart[1], ...tied, byStart[4]]);
    expect(page.nextCursor).toBeNull();
    expect(page.traces.find((trace) => trace.traceId === traces.toolFailed.traceId)).toEqual({
      traceId: traces.toolFailed.traceId,
      name: 'run assistant',
      tenantId: 'acme',
      threadId: 'thread-b',
      runId: 'run-2',
      userId: null,
      agent: 'assistant',
      status: 'ok',
      statusMessage: null,
      startMs: T0 + MINUTE,
      endMs: T0 + MINUTE + 1200,
      durationMs: 1200,
      spanCount: 7,
      errorCount: 1,
      // Only the LLM spans' usage: the nodes and the run above them would count it again.
      inputTokens: 250,
      outputTokens: 50,
      costUsd: expect.closeTo(0.004, 10),
      complete: true,
    });
  });

  it('shows every tenant only to the operator (tenant null), and never one tenant another tenant’s traces', () => {
    expect(idsOf(store.list({ tenantId: 'globex', limit: 50 }))).toEqual([traces.otherTenant.traceId]);
    expect(idsOf(store.list({ tenantId: 'acme', limit: 50 }))).not.toContain(traces.otherTenant.traceId);
    expect(store.list({ tenantId: null, limit: 50 }).traces).toHaveLength(6);
    expect(store.list({ tenantId: 'initech', limit: 50 }).traces).toEqual([]);
  });

  it('filters by thread, run, agent, status, start time and duration, together', () => {
    const ids = (filter: Omit<Parameters<TraceStore['list']>[0], 'tenantId' | 'limit'>) => new Set(idsOf(store.list({ tenantId: 'acme', limit: 50, ...filter })));
    expect(ids({ threadId: 'thread-a' })).toEqual(new Set([traces.first.traceId, traces.slowFailed.traceId]));
    expect(ids({ runId: 'run-2' })).toEqual(new Set([traces.toolFailed.traceId]));
    expect(ids({ agent: 'researcher' })).toEqual(new Set([traces.researcher.traceId]));
    expect(ids({ status: 'error' })).toEqual(new Set([traces.slowFailed.traceId]));
    expect(ids({ since: T0 + MINUTE, until: T0 + 3 * MINUTE })).toEqual(new Set([traces.toolFailed.traceId, traces.sameStart.traceId]));
    expect(ids({ since: T0 + 3 * MINUTE })).toEqual(new Set([traces.slowFailed.traceId, traces.researcher.traceId]));
    expect(ids({ minDurationMs: 1200 })).toEqual(new Set([traces.toolFailed.traceId, traces.slowFailed.traceId, traces.researcher.traceId]));
    expect(ids({ maxDurationMs: 800 })).toEqual(new Set([traces.first.traceId, traces.sameStart.traceId]));
    expect(ids({ threadId: 'thread-b', minDurationMs: 1000, status: 'ok' })).toEqual(new Set([traces.toolFailed.traceId]));
    expect(ids({ threadId: 'thread-x' })).toEqual(new Set());
  });

  it('pages with a cursor: every trace exactly once, in order, ties on the start time included', () => {
    const all = idsOf(store.list({ tenantId: 'acme', limit: 50 }));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = store.list({ tenantId: 'acme', limit: 2, cursor });
      seen.push(...idsOf(page));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all);
    // A cursor keeps its filters' meaning: paging within a thread stays within it.
    const firstOfThread = store.list({ tenantId: 'acme', threadId: 'thread-a', limit: 1 });
    expect(idsOf(store.list({ tenantId: 'acme', threadId: 'thread-a', limit: 1, cursor: firstOfThread.nextCursor! }))).toEqual([traces.first.traceId]);
  });

  it('refuses a cursor it did not hand out with TRACE_QUERY_INVALID', () => {
    for (const cursor of ['not a cursor', 'e30', Buffer.from('["x", 1]').toString('base64url'), '', '%%']) {
      expect(codeOf(() => store.list({ tenantId: 'acme', limit: 5, cursor }))).toBe('TRACE_QUERY_INVALID');
    }
  });
});

describe('TraceStore.get', () => {
  let store: TraceStore;
  let close: () => void;
  const trace = runTrace({ startMs: T0, durationMs: 2000, toolFails: true, userId: 'alice' });
  beforeAll(() => {
    ({ store, close } = openStore());
    store.insert(trace.spans);
  });
  afterAll(() => close());

  it('nests spans under their parents, each level by start time, whatever order they were stored in', () => {
    const tree = store.get('acme', trace.traceId);
    const outline = [...walkTree(tree.roots)].map(({ span, depth }) => `${'  '.repeat(depth)}${span.kind} ${span.name}`);
    expect(outline).toEqual([
      'run run assistant',
      '  node agent',
      '    llm chat scripted',
      '  node tools',
      '    tool tool http_fetch',
      '  node agent',
      '    llm chat scripted',
    ]);
    expect(tree.roots).toHaveLength(1);
    expect(tree.omittedSpans).toBe(0);
    expect(tree.summary).toMatchObject({ status: 'ok', userId: 'alice', spanCount: 7, errorCount: 1, inputTokens: 250, outputTokens: 50, complete: true, durationMs: 2000 });
    const failed = [...walkTree(tree.roots)].find(({ span }) => span.status === 'error')!.span;
    expect(failed).toMatchObject({ name: 'tool http_fetch', statusMessage: 'the tool took longer than 100 ms', attributes: { 'trellis.error.code': 'TOOL_TIMEOUT' } });
  });

  it('answers TRACE_NOT_FOUND for another tenant’s trace and for unknown ids alike; the operator reads any', () => {
    expect(codeOf(() => store.get('globex', trace.traceId))).toBe('TRACE_NOT_FOUND');
    expect(codeOf(() => store.get('acme', newTraceId()))).toBe('TRACE_NOT_FOUND');
    expect(codeOf(() => store.get(null, newTraceId()))).toBe('TRACE_NOT_FOUND');
    expect(store.get(null, trace.traceId).summary.tenantId).toBe('acme');
  });

  it('reads a running trace from the spans stored so far: not complete, status unset, timed by its spans', () => {
    const running = runTrace({ startMs: T0 + MINUTE, durationMs: 1000 });
    const children = running.spans.filter((span) => span.parentSpanId !== null);
    store.insert(children);
    const tree = store.get('acme', running.traceId);
    expect(tree.summary).toMatchObject({ complete: false, status: 'unset', name: 'agent', spanCount: 6 });
    expect(tree.summary.startMs).toBe(Math.min(...children.map((span) => span.startMs)));
    expect(tree.summary.endMs).toBe(Math.max(...children.map((span) => span.endMs)));
    // The three top-level nodes have no stored parent yet, so each is a root of its own.
    expect(tree.roots.map((root) => root.name)).toEqual(['agent', 'tools', 'agent']);
    store.insert(running.spans.filter((span) => span.parentSpanId === null));
    expect(store.get('acme', running.traceId).roots).toHaveLength(1);
  });

  it('shows spans in a parent cycle or pointing at themselves once each, as roots, instead of losing or looping on them', () => {
    const traceId = newTraceId();
    const loopA = storedSpan({ traceId, spanId: 'aaaaaaaaaaaaaaaa', parentSpanId: 'bbbbbbbbbbbbbbbb', name: 'a', kind: 'other', startMs: T0, durationMs: 5 });
    const loopB = storedSpan({ traceId, spanId: 'bbbbbbbbbbbbbbbb', parentSpanId: 'aaaaaaaaaaaaaaaa', name: 'b', kind: 'other', startMs: T0 + 1, durationMs: 5 });
    const self = storedSpan({ traceId, spanId: 'cccccccccccccccc', parentSpanId: 'cccccccccccccccc', name: 'c', kind: 'other', startMs: T0 + 2, durationMs: 5 });
    store.insert([loopA, loopB, self]);
    const names = [...walkTree(store.get('acme', traceId).roots)].map(({ span, depth }) => `${depth}:${span.name}`);
    expect(names).toEqual(['0:a', '1:b', '0:c']);
  });

  it('reads a trace deeper than the call stack, and cuts one larger than maxSpans, counting what it left out', () => {
    const traceId = newTraceId();
    const chain: StoredSpan[] = [];
    for (let index = 0; index < 20_000; index++) {
      chain.push(storedSpan({ traceId, parentSpanId: chain.at(-1)?.spanId ?? null, name: `step ${index}`, kind: 'node', startMs: T0 + index, durationMs: 1 }));
    }
    store.insert(chain);
    const deepest = [...walkTree(store.get('acme', traceId, { maxSpans: 20_000 }).roots)].at(-1)!;
    expect(deepest).toMatchObject({ depth: 19_999, span: { name: 'step 19999' } });
    const cut = store.get('acme', traceId, { maxSpans: 100 });
    expect(cut.omittedSpans).toBe(19_900);
    expect(cut.summary).toMatchObject({ spanCount: 20_000, complete: true, name: 'step 0' });
  });
});

describe('TraceStore.tail', () => {
  let store: TraceStore;
  let close: () => void;
  beforeAll(() => {
    ({ store, close } = openStore());
    store.insert(runTrace({ startMs: T0 }).spans);
  });
  afterAll(() => close());

  it('returns only spans stored after the cursor, in the order they were stored, and moves the cursor on', () => {
    const start = store.latestCursor();
    expect(store.tail({ tenantId: null, after: start, rootsOnly: false, limit: 100 })).toEqual({ spans: [], cursor: start });
    const next = runTrace({ startMs: T0 - MINUTE });
    store.insert(next.spans);
    const batch = store.tail({ tenantId: null, after: start, rootsOnly: false, limit: 100 });
    expect(batch.spans.map((span) => span.spanId)).toEqual(next.spans.map((span) => span.spanId));
    expect(store.tail({ tenantId: null, after: batch.cursor, rootsOnly: false, limit: 100 }).spans).toEqual([]);
    const limited = store.tail({ tenantId: null, after: start, rootsOnly: false, limit: 3 });
    expect(limited.spans).toHaveLength(3);
    expect(store.tail({ tenantId: null, after: limited.cursor, rootsOnly: false, limit: 100 }).spans).toHaveLength(4);
  });

  it('with rootsOnly, returns one span per finished trace; with a tenant, only that tenant’s', () => {
    const start = store.latestCursor();
    const acme = runTrace({ startMs: T0 });
    const globex = runTrace({ startMs: T0, tenantId: 'globex' });
    store.insert([...acme.spans, ...globex.spans]);
    const roots = store.tail({ tenantId: null, after: start, rootsOnly: true, limit: 100 }).spans;
    expect(roots.map((span) => span.spanId)).toEqual([acme.rootSpanId, globex.rootSpanId]);
    const globexOnly = store.tail({ tenantId: 'globex', after: start, rootsOnly: false, limit: 100 }).spans;
    expect(new Set(globexOnly.map((span) => span.traceId))).toEqual(new Set([globex.traceId]));
    expect(globexOnly).toHaveLength(7);
  });
});

describe('parseTimeBound', () => {
  const now = T0;
  it('reads durations ago, epoch milliseconds and ISO 8601', () => {
    expect(parseTimeBound('15m', now, 'since')).toBe(now - 15 * MINUTE);
    expect(parseTimeBound('2h', now, 'since')).toBe(now - 120 * MINUTE);
    expect(parseTimeBound('1.5d', now, 'since')).toBe(now - 36 * 60 * MINUTE);
    expect(parseTimeBound('1795000000000', now, 'since')).toBe(1795000000000);
    expect(parseTimeBound('2026-11-20T09:00:00Z', now, 'since')).toBe(T0 - 60 * MINUTE);
    expect(parseTimeBound('2026-11-20T11:00:00+01:00', now, 'since')).toBe(T0);
    expect(parseTimeBound('2026-11-20', now, 'since')).toBe(Date.parse('2026-11-20'));
  });

  it('refuses anything else with TRACE_QUERY_INVALID naming the filter', () => {
    for (const text of ['yesterday', '15', '-5m', '1e309', '2026-13-45', '2026-11-20T25:00', '', 'NaN', '15 minutes']) {
      let error: unknown;
      try {
        parseTimeBound(text, now, 'until');
      } catch (caught) {
        error = caught;
      }
      expect(TrellisError.isInstance(error, 'TRACE_QUERY_INVALID') && error.message.startsWith('until')).toBe(true);
    }
  });
});
