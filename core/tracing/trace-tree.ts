import type { SpanKind } from './attributes.js';

/** A span's outcome as OpenTelemetry reports it: `unset` is a span that neither succeeded nor failed explicitly. */
export type SpanStatus = 'ok' | 'error' | 'unset';

/** One finished span as the local store keeps it (a `trace_spans` row). */
export interface StoredSpan {
  readonly spanId: string;
  readonly traceId: string;
  /** Null for a trace's root span (a run's `run <target>` span). */
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly kind: SpanKind;
  readonly tenantId: string | null;
  readonly threadId: string | null;
  readonly runId: string | null;
  readonly userId: string | null;
  readonly agent: string | null;
  readonly status: SpanStatus;
  readonly statusMessage: string | null;
  /** Epoch milliseconds, with a fraction. */
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  readonly model: string | null;
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly costUsd: number | null;
  /** Every attribute of the span, already redacted (and without content when the local sink leaves it out). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The span's events (exceptions among them) as the tracing pipeline stored them. */
  readonly events: readonly unknown[];
}

/** A trace at a glance: its root span's facts and totals over all its spans. */
export interface TraceSummary {
  readonly traceId: string;
  /** The root span's name (`run assistant`); the earliest span's while the root has not been stored. */
  readonly name: string;
  readonly tenantId: string | null;
  readonly threadId: string | null;
  readonly runId: string | null;
  readonly userId: string | null;
  readonly agent: string | null;
  /** The root span's status; `unset` while the root has not been stored (the run is still going). */
  readonly status: SpanStatus;
  readonly statusMessage: string | null;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  readonly spanCount: number;
  /** Spans with status `error`: a run can succeed while a tool call in it failed. */
  readonly errorCount: number;
  /** Sums over the trace's LLM spans (the spans that report usage); null when none reported any. */
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly costUsd: number | null;
  /** Whether the root span is stored: spans are stored as they end, so a running trace has its children first. */
  readonly complete: boolean;
}

export interface SpanNode extends StoredSpan {
  /** Child spans, by start time. */
  readonly children: readonly SpanNode[];
}

/** One trace as a tree: normally one root; spans whose parent is not stored (yet, or any more) are roots too. */
export interface TraceTree {
  readonly summary: TraceSummary;
  readonly roots: readonly SpanNode[];
  /** Spans left out of `roots` because the trace has more than the reader asked for (the latest-starting ones). */
  readonly omittedSpans: number;
}

/**
 * Nests spans under their parents, each level ordered by start time (span id on ties, so the order is stable). A
 * span whose parent is not stored becomes a root rather than disappearing; so does a span in a parent cycle (which
 * only corrupt data has), so that every span is shown exactly once and walking the tree always ends.
 */
export function nestSpans(spans: readonly StoredSpan[]): SpanNode[] {
  const ordered = [...spans].sort(byStart);
  // Each node's children array is filled in place, so a node is built once and shared by the map and its parent.
  const nodes = new Map<string, { readonly node: SpanNode; readonly children: SpanNode[] }>();
  for (const span of ordered) {
    const children: SpanNode[] = [];
    nodes.set(span.spanId, { node: { ...span, children }, children });
  }
  const roots: SpanNode[] = [];
  for (const span of ordered) {
    const parent = span.parentSpanId === null ? undefined : nodes.get(span.parentSpanId);
    (parent ? parent.children : roots).push(nodes.get(span.spanId)!.node);
  }
  const reached = new Set<string>();
  const mark = (tops: readonly SpanNode[]) => {
    for (const { span } of walkTree(tops)) reached.add(span.spanId);
  };
  mark(roots);
  for (const span of ordered) {
    if (reached.has(span.spanId)) continue;
    const { node } = nodes.get(span.spanId)!;
    const siblings = nodes.get(span.parentSpanId!)!.children;
    siblings.splice(siblings.indexOf(node), 1);
    roots.push(node);
    mark([node]);
  }
  return roots;
}

/** The spans of a tree in reading order (each after its parent, siblings by start), with their depth. */
export function* walkTree(roots: readonly SpanNode[]): Generator<{ readonly span: SpanNode; readonly depth: number }> {
  const stack = [...roots].reverse().map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const next = stack.pop()!;
    yield next;
    for (let index = next.span.children.length - 1; index >= 0; index--) stack.push({ span: next.span.children[index]!, depth: next.depth + 1 });
  }
}

/** Totals of one trace's spans, as the summary reports them. */
export interface SpanTotals {
  readonly spanCount: number;
  readonly errorCount: number;
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly costUsd: number | null;
}

/**
 * The summary of a trace from its root span (when stored) and its totals. Without the root, the trace spans from
 * its earliest start to its latest end, and is named after its earliest span.
 */
export function summarizeTrace(spans: readonly StoredSpan[], totals: SpanTotals): TraceSummary {
  const root = spans.find((span) => span.parentSpanId === null);
  const first = root ?? [...spans].sort(byStart)[0]!;
  const startMs = root?.startMs ?? Math.min(...spans.map((span) => span.startMs));
  const endMs = root?.endMs ?? Math.max(...spans.map((span) => span.endMs));
  return {
    traceId: first.traceId,
    name: first.name,
    tenantId: first.tenantId,
    threadId: first.threadId,
    runId: first.runId,
    userId: first.userId,
    agent: first.agent,
    status: root?.status ?? 'unset',
    statusMessage: root?.statusMessage ?? null,
    startMs,
    endMs,
    durationMs: root?.durationMs ?? endMs - startMs,
    ...totals,
    complete: root !== undefined,
  };
}

function byStart(left: StoredSpan, right: StoredSpan): number {
  return left.startMs - right.startMs || (left.spanId < right.spanId ? -1 : left.spanId > right.spanId ? 1 : 0);
}
