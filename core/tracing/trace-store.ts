import type { SqliteDatabase } from '../db.js';
import { TrellisError } from '../errors.js';
import type { SpanKind } from './attributes.js';
import { nestSpans, summarizeTrace, type SpanStatus, type SpanTotals, type StoredSpan, type TraceSummary, type TraceTree } from './trace-tree.js';

/**
 * Whose traces to read. The API always passes the caller's tenant; `null` (every tenant) is for the operator's CLI
 * on the server machine. Required, so that no caller reads across tenants by leaving it out.
 */
export type TenantScope = string | null;

export interface TraceFilter {
  readonly tenantId: TenantScope;
  readonly threadId?: string;
  readonly runId?: string;
  readonly agent?: string;
  /** The root span's status. */
  readonly status?: SpanStatus;
  /** Traces whose root started at or after this (epoch ms)... */
  readonly since?: number;
  /** ...and before this. */
  readonly until?: number;
  readonly minDurationMs?: number;
  readonly maxDurationMs?: number;
  readonly limit: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface TracePage {
  /** Newest first. */
  readonly traces: readonly TraceSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface TailOptions {
  readonly tenantId: TenantScope;
  /** The `cursor` of the previous call; `latestCursor()` to start from now. */
  readonly after: number;
  /** Only root spans: one per finished trace. */
  readonly rootsOnly: boolean;
  readonly limit: number;
}

export interface TailBatch {
  /** In the order they were stored. */
  readonly spans: readonly StoredSpan[];
  readonly cursor: number;
}

/** One `trace_spans` row as SQLite returns it (`seq` is the rowid, the insertion order). */
export interface SpanRow {
  seq: number;
  span_id: string;
  trace_id: string;
  parent_span_id: string | null;
  name: string;
  kind: string;
  tenant_id: string | null;
  thread_id: string | null;
  run_id: string | null;
  user_id: string | null;
  agent: string | null;
  status: string;
  status_message: string | null;
  start_ms: number;
  end_ms: number;
  duration_ms: number;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  attributes: string;
  events: string;
}

interface TotalsRow {
  trace_id: string;
  span_count: number;
  error_count: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
}

/** How many spans one trace read returns at most: a runaway agent loop must not make one response unbounded. */
const DEFAULT_MAX_SPANS_PER_TRACE = 10_000;

// Totals count usage on LLM spans only: the spans above them (nodes, the run) would count the same tokens again.
const TOTALS = `COUNT(*) AS span_count, SUM(status = 'error') AS error_count,
  SUM(CASE WHEN kind = 'llm' THEN input_tokens END) AS input_tokens,
  SUM(CASE WHEN kind = 'llm' THEN output_tokens END) AS output_tokens,
  SUM(CASE WHEN kind = 'llm' THEN cost_usd END) AS cost_usd`;

/**
 * The local trace store's reader (and the one writer the tracing pipeline's SQLite sink and tests share): traces
 * listed by their root spans with filters, one trace as a tree with totals, and a tail of newly stored spans.
 * Tenant-scoped like threads and runs: another tenant's trace id reads as not found.
 */
export class TraceStore {
  private readonly insertSpan;

  constructor(private readonly db: SqliteDatabase) {
    this.insertSpan = db.prepare(
      `INSERT OR REPLACE INTO trace_spans (span_id, trace_id, parent_span_id, name, kind, tenant_id, thread_id, run_id, user_id, agent,
         status, status_message, start_ms, end_ms, duration_ms, model, input_tokens, output_tokens, cost_usd, attributes, events)
       VALUES (@spanId, @traceId, @parentSpanId, @name, @kind, @tenantId, @threadId, @runId, @userId, @agent,
         @status, @statusMessage, @startMs, @endMs, @durationMs, @model, @inputTokens, @outputTokens, @costUsd, @attributes, @events)`,
    );
  }

  /** Stores finished spans in one transaction; a span stored again (same id) replaces the earlier copy. */
  insert(spans: readonly StoredSpan[]): void {
    this.db.transaction(() => {
      for (const span of spans) {
        this.insertSpan.run({ ...span, attributes: JSON.stringify(span.attributes), events: JSON.stringify(span.events) });
      }
    })();
  }

  /** Finished traces (their root spans), newest first, a page at a time. */
  list(filter: TraceFilter): TracePage {
    return this.db.transaction(() => this.readPage(filter))();
  }

  /**
   * One trace as a tree with its totals; TRACE_NOT_FOUND for unknown ids and other tenants' traces alike. A trace
   * still running is returned with the spans stored so far (`complete: false`).
   */
  get(tenantId: TenantScope, traceId: string, options: { maxSpans?: number } = {}): TraceTree {
    // One read transaction: spans and totals come from one snapshot, whatever the sink writes meanwhile. The root
    // starts first, so a trace cut at `maxSpans` keeps it and loses its latest-starting spans.
    return this.db.transaction(() => this.readTrace(tenantId, traceId, options.maxSpans ?? DEFAULT_MAX_SPANS_PER_TRACE))();
  }

  /** Spans stored after `after`, oldest first: what `trellis traces tail` polls. */
  tail(options: TailOptions): TailBatch {
    const clauses = ['rowid > ?', ...(options.rootsOnly ? ['parent_span_id IS NULL'] : []), ...(options.tenantId === null ? [] : ['tenant_id = ?'])];
    const rows = this.db
      .prepare<unknown[], SpanRow>(`SELECT rowid AS seq, * FROM trace_spans WHERE ${clauses.join(' AND ')} ORDER BY rowid LIMIT ?`)
      .all(options.after, ...(options.tenantId === null ? [] : [options.tenantId]), options.limit);
    return { spans: rows.map(toSpan), cursor: rows.at(-1)?.seq ?? options.after };
  }

  /** Erases a deleted thread's spans (every trace of its runs). */
  deleteByThread(tenantId: string, threadId: string): void {
    this.db.prepare('DELETE FROM trace_spans WHERE tenant_id = ? AND thread_id = ?').run(tenantId, threadId);
  }

  /** The cursor of the newest stored span: tail from here to see only what is stored from now on. */
  latestCursor(): number {
    return (this.db.prepare('SELECT MAX(rowid) FROM trace_spans').pluck().get() as number | null) ?? 0;
  }

  private readPage(filter: TraceFilter): TracePage {
    const where = ['parent_span_id IS NULL'];
    const params: (string | number)[] = [];
    const add = (clause: string, ...values: (string | number)[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (filter.tenantId !== null) add('tenant_id = ?', filter.tenantId);
    if (filter.threadId !== undefined) add('thread_id = ?', filter.threadId);
    if (filter.runId !== undefined) add('run_id = ?', filter.runId);
    if (filter.agent !== undefined) add('agent = ?', filter.agent);
    if (filter.status !== undefined) add('status = ?', filter.status);
    if (filter.since !== undefined) add('start_ms >= ?', filter.since);
    if (filter.until !== undefined) add('start_ms < ?', filter.until);
    if (filter.minDurationMs !== undefined) add('duration_ms >= ?', filter.minDurationMs);
    if (filter.maxDurationMs !== undefined) add('duration_ms <= ?', filter.maxDurationMs);
    if (filter.cursor !== undefined) {
      const after = decodeCursor(filter.cursor);
      add('(start_ms < ? OR (start_ms = ? AND span_id < ?))', after.startMs, after.startMs, after.spanId);
    }
    // One more than asked tells whether another page follows without a count query.
    const roots = this.db
      .prepare<unknown[], SpanRow>(`SELECT rowid AS seq, * FROM trace_spans WHERE ${where.join(' AND ')} ORDER BY start_ms DESC, span_id DESC LIMIT ?`)
      .all(...params, filter.limit + 1)
      .map(toSpan);
    const page = roots.slice(0, filter.limit);
    const totals = this.totalsOf(filter.tenantId, page.map((root) => root.traceId));
    const last = page.at(-1);
    return {
      traces: page.map((root) => summarizeTrace([root], totals.get(root.traceId)!)),
      nextCursor: roots.length > filter.limit && last ? encodeCursor(last) : null,
    };
  }

  private readTrace(tenantId: TenantScope, traceId: string, maxSpans: number): TraceTree {
    const tenantClause = tenantId === null ? '' : ' AND tenant_id = ?';
    const tenantParams = tenantId === null ? [] : [tenantId];
    const spans = this.db
      .prepare<unknown[], SpanRow>(`SELECT rowid AS seq, * FROM trace_spans WHERE trace_id = ?${tenantClause} ORDER BY start_ms, span_id LIMIT ?`)
      .all(traceId, ...tenantParams, maxSpans)
      .map(toSpan);
    if (spans.length === 0) throw new TrellisError('TRACE_NOT_FOUND', `trace ${traceId} not found`, { details: { traceId } });
    const totals = this.totalsOf(tenantId, [traceId]).get(traceId)!;
    return { summary: summarizeTrace(spans, totals), roots: nestSpans(spans), omittedSpans: totals.spanCount - spans.length };
  }

  private totalsOf(tenantId: TenantScope, traceIds: readonly string[]): Map<string, SpanTotals> {
    if (traceIds.length === 0) return new Map();
    const tenantClause = tenantId === null ? '' : ' AND tenant_id = ?';
    const rows = this.db
      .prepare<unknown[], TotalsRow>(
        `SELECT trace_id, ${TOTALS} FROM trace_spans WHERE trace_id IN (${traceIds.map(() => '?').join(', ')})${tenantClause} GROUP BY trace_id`,
      )
      .all(...traceIds, ...(tenantId === null ? [] : [tenantId]));
    return new Map(
      rows.map((row) => [
        row.trace_id,
        { spanCount: row.span_count, errorCount: row.error_count, inputTokens: row.input_tokens, outputTokens: row.output_tokens, costUsd: row.cost_usd },
      ]),
    );
  }
}

function toSpan(row: SpanRow): StoredSpan {
  return {
    spanId: row.span_id,
    traceId: row.trace_id,
    parentSpanId: row.parent_span_id,
    name: row.name,
    kind: row.kind as SpanKind,
    tenantId: row.tenant_id,
    threadId: row.thread_id,
    runId: row.run_id,
    userId: row.user_id,
    agent: row.agent,
    status: row.status as SpanStatus,
    statusMessage: row.status_message,
    startMs: row.start_ms,
    endMs: row.end_ms,
    durationMs: row.duration_ms,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    attributes: parseAttributes(row.attributes),
    events: parseEvents(row.events),
  };
}

// A row with a JSON column of the wrong shape (written by hand, or by a future build) still shows, without it.
function parseAttributes(text: string): Record<string, unknown> {
  const value = parseJson(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function parseEvents(text: string): unknown[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value : [];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A page boundary: the (start, span id) of the last trace of the page, as opaque text. */
function encodeCursor(span: StoredSpan): string {
  return Buffer.from(JSON.stringify([span.startMs, span.spanId]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { startMs: number; spanId: string } {
  let value: unknown;
  try {
    value = /^[A-Za-z0-9_-]+$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number' || typeof value[1] !== 'string') {
    throw new TrellisError('TRACE_QUERY_INVALID', 'cursor is not one this server handed out');
  }
  return { startMs: value[0], spanId: value[1] };
}
