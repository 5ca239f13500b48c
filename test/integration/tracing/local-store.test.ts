import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../runtime/run-records.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { startOtlpListener, type OtlpListener, type ReceivedSpan } from './otlp-listener.js';
import type { SpanRow as StoredSpanRow } from '../../../core/tracing/trace-store.js';
import { spanTrees } from './span-tree.js';
import { BROKEN_SUM_MESSAGE, createTracedRuntime, EXPECTED_TREE, INGEST_SPANS, runSpansOf, runTracedAgent, type TracedRuntime } from './traced-agent.js';

type SpanRow = Omit<StoredSpanRow, 'seq'>;

const spansOfRun = (runtime: TracedRuntime, runId: string) =>
  runtime.db.prepare('SELECT * FROM trace_spans WHERE run_id = ? ORDER BY start_ms').all(runId) as SpanRow[];
const treeOf = (rows: readonly SpanRow[]) => spanTrees(rows.map((row) => ({ id: row.span_id, parentId: row.parent_span_id, name: row.name, start: row.start_ms })));

describe('the local trace store', () => {
  let listener: OtlpListener;
  let runtime: TracedRuntime;
  let run: RunRecord;
  let rows: SpanRow[];
  let wire: ReceivedSpan[];

  beforeAll(async () => {
    listener = await startOtlpListener();
    runtime = await createTracedRuntime({ tracing: { langfuse: { publicKey: 'pk-lf-local', secretKey: 'sk-lf-local-0123456789', baseUrl: listener.url } } });
    run = await runTracedAgent(runtime);
    await runtime.tracing.flush();
    rows = spansOfRun(runtime, run.id);
    wire = runSpansOf(listener.spans('/api/public/otel/v1/traces'));
  });
  afterAll(async () => {
    await runtime.dispose();
    await listener.close();
  });

  it('holds the run as the same tree, span for span, with the same attributes as Langfuse received', () => {
    expect(treeOf(rows)).toEqual([EXPECTED_TREE]);
    const sent = new Map(wire.map((span) => [span.spanId, span]));
    expect(new Set(rows.map((row) => row.span_id))).toEqual(new Set(sent.keys()));
    for (const row of rows) {
      const span = sent.get(row.span_id)!;
      expect({ trace: row.trace_id, parent: row.parent_span_id ?? undefined, name: row.name }).toEqual({ trace: span.traceId, parent: span.parentSpanId, name: span.name });
      expect(JSON.parse(row.attributes)).toEqual(span.attributes);
    }
    const traceId = runtime.db.prepare('SELECT trace_id FROM runs WHERE id = ?').pluck().get(run.id);
    expect(new Set(rows.map((row) => row.trace_id))).toEqual(new Set([traceId]));
  });

  it('fills the columns the viewer filters on', () => {
    const root = rows.find((row) => row.parent_span_id === null)!;
    expect(root).toMatchObject({
      name: 'run assistant',
      kind: 'run',
      tenant_id: 'acme',
      thread_id: run.threadId,
      run_id: run.id,
      user_id: 'user-42',
      agent: 'assistant',
      status: 'ok',
      model: null,
    });
    expect(root.duration_ms).toBeCloseTo(root.end_ms - root.start_ms, 3);
    for (const row of rows) {
      expect(row.start_ms).toBeGreaterThanOrEqual(root.start_ms);
      expect(row.end_ms).toBeLessThanOrEqual(root.end_ms);
    }
    expect(rows.map((row) => row.kind).sort()).toEqual(
      ['llm', 'llm', 'llm', 'node', 'node', 'node', 'node', 'node', 'retrieval', 'run', 'tool', 'tool'],
    );
    const answer = rows.filter((row) => row.kind === 'llm').at(-1)!;
    expect(answer).toMatchObject({ model: 'ScriptedChatModel', output_tokens: 13, status: 'ok' });
    expect(answer.cost_usd).toBe(answer.input_tokens! + 2 * answer.output_tokens!);
  });

  it('marks a failed tool call ERROR with its message and code; the run goes on and completes', async () => {
    const failing = await runTracedAgent(runtime, BROKEN_SUM_MESSAGE);
    expect(failing.status).toBe('completed');
    await runtime.tracing.flush();
    const spans = spansOfRun(runtime, failing.id);
    const tool = spans.find((row) => row.name === 'tool calculator')!;
    expect(tool).toMatchObject({ status: 'error', status_message: expect.stringContaining('expression cannot be parsed') });
    expect(JSON.parse(tool.attributes)).toMatchObject({ 'trellis.error.code': 'TOOL_INPUT_INVALID', 'langfuse.observation.level': 'ERROR' });
    expect(JSON.parse(tool.events)).toEqual([expect.objectContaining({ name: 'exception' })]);
    expect(spans.find((row) => row.kind === 'run')).toMatchObject({ status: 'ok' });
  });

  it('marks a failed run ERROR on its root span, with the error code', async () => {
    // The rag graph needs a knowledge base: the run fails before any node runs.
    const failed = await runtime.runManager.start('acme', { target: 'rag', message: 'anything' }).done;
    expect(failed.status).toBe('failed');
    await runtime.tracing.flush();
    const [root, ...rest] = spansOfRun(runtime, failed.id);
    expect(rest).toEqual([]);
    expect(root).toMatchObject({ name: 'run rag', status: 'error', status_message: expect.stringContaining('knowledge base') });
    expect(JSON.parse(root!.attributes)).toMatchObject({ 'trellis.error.code': 'API_BODY_INVALID', 'trellis.run.status': 'failed' });
  });
});

describe('local store retention', () => {
  const DAY = 24 * 60 * 60 * 1000;

  it('deletes spans older than retentionDays when the runtime starts', async () => {
    const data = makeTempDir('trellis-retention-');
    try {
      const first = await createTracedRuntime({ dataDir: data.dir });
      const run = await runTracedAgent(first);
      await first.dispose();
      // Still within 14 days: kept.
      const soon = await createTracedRuntime({ dataDir: data.dir, now: () => new Date(Date.now() + 13 * DAY) });
      expect(spansOfRun(soon, run.id)).toHaveLength(12);
      await soon.dispose();
      const later = await createTracedRuntime({ dataDir: data.dir, now: () => new Date(Date.now() + 15 * DAY) });
      expect(spansOfRun(later, run.id)).toEqual([]);
      await later.dispose();
    } finally {
      data.remove();
    }
  });

  it('deletes the oldest spans beyond maxSpans', async () => {
    const data = makeTempDir('trellis-retention-');
    try {
      const first = await createTracedRuntime({ dataDir: data.dir });
      const insert = first.db.prepare(
        "INSERT INTO trace_spans (span_id, trace_id, name, kind, status, start_ms, end_ms, duration_ms) VALUES (?, 'old', 'old span', 'other', 'ok', ?, ?, 1)",
      );
      const start = Date.now() - DAY;
      first.db.transaction(() => {
        for (let index = 0; index < 1100; index += 1) insert.run(`old-${index}`, start + index, start + index + 1);
      })();
      const run = await runTracedAgent(first);
      await first.dispose();
      const next = await createTracedRuntime({ dataDir: data.dir, tracing: { local: { maxSpans: 1000 } } });
      expect(next.db.prepare('SELECT COUNT(*) FROM trace_spans').pluck().get()).toBe(1000);
      // The newest stay: the run, the help ingest's span, and the latest of the old spans.
      expect(spansOfRun(next, run.id)).toHaveLength(12);
      expect(next.db.prepare("SELECT MIN(start_ms) FROM trace_spans WHERE trace_id = 'old'").pluck().get()).toBe(start + 100 + 12 + INGEST_SPANS);
      await next.dispose();
    } finally {
      data.remove();
    }
  });
});

describe('tracing turned off', () => {
  it('records no spans and no trace id, and leaves the chat model without callbacks', async () => {
    const runtime = await createTracedRuntime({ tracing: { enabled: false } });
    try {
      const run = await runTracedAgent(runtime);
      expect(run.status).toBe('completed');
      await runtime.tracing.flush();
      expect(runtime.db.prepare('SELECT COUNT(*) FROM trace_spans').pluck().get()).toBe(0);
      expect(runtime.db.prepare('SELECT trace_id FROM runs WHERE id = ?').pluck().get(run.id)).toBeNull();
      expect(runtime.tracing.stats()).toEqual({ enabled: false, sinks: {}, dropped: 0 });
      expect(runtime.tracing.startRun({ runId: 'r', tenantId: 't', threadId: 'th', target: 'assistant' }).traceId).toBeUndefined();
      expect(runtime.models.chat.mode === 'model' && runtime.models.chat.model.callbacks).toBeUndefined();
    } finally {
      await runtime.dispose();
    }
  });
});
