import { ATTR } from '../core/tracing/attributes.js';
import type { SpanNode, StoredSpan, TraceSummary, TraceTree } from '../core/tracing/trace-tree.js';

/** `850ms`, `1.24s`, `2m05s`: short enough for a column, precise enough to compare. */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

function formatCost(usd: number): string {
  return `$${usd.toFixed(usd >= 0.01 ? 4 : 6)}`;
}

function formatTokens(input: number | null, output: number | null): string {
  return input === null && output === null ? '' : `${input ?? 0}→${output ?? 0} tokens`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

const LIST_COLUMNS = ['STARTED (UTC)', 'TRACE', 'STATUS', 'DURATION', 'SPANS', 'ERRORS', 'TOKENS IN→OUT', 'COST', 'NAME', 'THREAD'];

/** Traces as an aligned table, one line each, under a header line. */
export function renderTraceTable(traces: readonly TraceSummary[]): string {
  const rows = traces.map((trace) => [
    formatTime(trace.startMs),
    trace.traceId,
    trace.status,
    formatDuration(trace.durationMs),
    String(trace.spanCount),
    String(trace.errorCount),
    trace.inputTokens === null && trace.outputTokens === null ? '-' : `${trace.inputTokens ?? 0}→${trace.outputTokens ?? 0}`,
    trace.costUsd === null ? '-' : formatCost(trace.costUsd),
    trace.name,
    trace.threadId ?? '-',
  ]);
  const widths = LIST_COLUMNS.map((column, index) => Math.max(column.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]!))).join('  ');
  return [line(LIST_COLUMNS), ...rows.map(line)].map((text) => `${text}\n`).join('');
}

/** One trace as it finishes, for `trellis traces tail`. */
export function renderTraceLine(trace: TraceSummary): string {
  const parts = [
    formatTime(trace.startMs),
    trace.traceId,
    trace.status,
    formatDuration(trace.durationMs),
    plural(trace.spanCount, 'span'),
    ...(trace.errorCount > 0 ? [plural(trace.errorCount, 'error')] : []),
    formatTokens(trace.inputTokens, trace.outputTokens),
    trace.costUsd === null ? '' : formatCost(trace.costUsd),
    trace.name,
    trace.threadId ? `thread ${trace.threadId}` : '',
  ];
  return `${parts.filter(Boolean).join('  ')}\n`;
}

/** One span as it is stored, for `trellis traces tail --spans`. */
export function renderSpanLine(span: StoredSpan): string {
  return `${formatTime(span.startMs)}  ${span.traceId}  ${describeSpan(span)}\n`;
}

/**
 * A trace as a person reads it: a header with the totals, then every span indented under its parent, with its
 * kind, duration, model, tokens, cost, and for a failed span its error.
 */
export function renderTraceTree(tree: TraceTree): string {
  const { summary } = tree;
  const totals = [
    summary.status,
    formatDuration(summary.durationMs),
    plural(summary.spanCount, 'span'),
    plural(summary.errorCount, 'error'),
    formatTokens(summary.inputTokens, summary.outputTokens),
    summary.costUsd === null ? '' : formatCost(summary.costUsd),
    summary.complete ? '' : 'still running (root span not stored yet)',
  ];
  const context = [
    `started ${new Date(summary.startMs).toISOString()}`,
    summary.threadId ? `thread ${summary.threadId}` : '',
    summary.runId ? `run ${summary.runId}` : '',
    summary.userId ? `user ${summary.userId}` : '',
    summary.tenantId ? `tenant ${summary.tenantId}` : '',
  ];
  let text = `trace ${summary.traceId}  ${summary.name}\n${totals.filter(Boolean).join('  ')}\n${context.filter(Boolean).join('  ')}\n\n`;
  // Depth-first with an explicit stack: a trace can be deeper than the call stack allows for recursion.
  const stack: { node: SpanNode; prefix: string; branch: string }[] = [...tree.roots].reverse().map((node) => ({ node, prefix: '', branch: '' }));
  while (stack.length > 0) {
    const { node, prefix, branch } = stack.pop()!;
    text += `${prefix}${branch}${describeSpan(node)}\n`;
    const childPrefix = prefix + (branch === '├─ ' ? '│  ' : branch === '└─ ' ? '   ' : '');
    for (let index = node.children.length - 1; index >= 0; index--) {
      stack.push({ node: node.children[index]!, prefix: childPrefix, branch: index === node.children.length - 1 ? '└─ ' : '├─ ' });
    }
  }
  if (tree.omittedSpans > 0) text += `… ${tree.omittedSpans} more spans not shown\n`;
  return text;
}

function describeSpan(span: StoredSpan): string {
  const parts = [
    span.name,
    `[${span.kind}]`,
    formatDuration(span.durationMs),
    span.model && !span.name.includes(span.model) ? span.model : '',
    formatTokens(span.inputTokens, span.outputTokens),
    span.costUsd === null ? '' : formatCost(span.costUsd),
    span.status === 'error' ? `✗ ${errorOf(span)}` : '',
  ];
  return parts.filter(Boolean).join('  ');
}

function errorOf(span: StoredSpan): string {
  const code = span.attributes[ATTR.errorCode];
  const message = span.statusMessage ?? 'error';
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
