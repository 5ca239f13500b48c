import { setTimeout as sleep } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { parseTimeBound } from '../../core/tracing/time-bound.js';
import { TraceStore, type TenantScope } from '../../core/tracing/trace-store.js';
import type { SpanStatus } from '../../core/tracing/trace-tree.js';
import { renderSpanLine, renderTraceLine, renderTraceTable, renderTraceTree } from '../render-trace.js';
import { withDatabase } from '../with-database.js';

const STATUSES: readonly SpanStatus[] = ['ok', 'error', 'unset'];
/** Spans read per poll of `tail`; a longer backlog is read in several polls without waiting in between. */
const TAIL_BATCH = 500;

interface ListFlags {
  tenant?: string;
  thread?: string;
  run?: string;
  agent?: string;
  status?: SpanStatus;
  since?: string;
  until?: string;
  limit: number;
}

/**
 * `trellis traces list|show|tail`: the local trace store in the terminal, read straight from the database like
 * `trellis keys` (no model, store or sidecar starts, and it works while the server runs). On the server machine,
 * so every tenant's traces unless `--tenant` narrows them.
 */
export function createTracesCommand(): Command {
  const traces = new Command('traces').description('list, show and follow the traces of runs (the local trace store)');
  traces
    .command('list')
    .description('finished traces, newest first')
    .option('--tenant <id>', 'only this tenant')
    .option('--thread <id>', 'only this thread')
    .option('--run <id>', 'only this run')
    .option('--agent <name>', 'only this graph or agent')
    .option('--status <status>', `only traces whose run ended so: ${STATUSES.join(', ')}`, parseStatus)
    .option('--since <time>', 'started at or after: ISO 8601, epoch ms, or a duration ago (15m, 2h, 7d)')
    .option('--until <time>', 'started before: same forms as --since')
    .option('--limit <n>', 'at most this many', parseLimit, 20)
    .action(async (flags: ListFlags) => {
      await withTraceStore((store) => {
        const now = Date.now();
        const page = store.list({
          tenantId: flags.tenant ?? null,
          threadId: flags.thread,
          runId: flags.run,
          agent: flags.agent,
          status: flags.status,
          since: flags.since === undefined ? undefined : parseTimeBound(flags.since, now, '--since'),
          until: flags.until === undefined ? undefined : parseTimeBound(flags.until, now, '--until'),
          limit: flags.limit,
        });
        process.stdout.write(page.traces.length === 0 ? 'no traces\n' : renderTraceTable(page.traces));
        if (page.nextCursor) process.stderr.write(`(more traces: raise --limit or narrow with --since/--until)\n`);
      });
    });
  traces
    .command('show')
    .description('one trace as a tree: every span with its kind, duration, tokens, cost and errors')
    .argument('<traceId>', 'the trace id (`trellis traces list`)')
    .option('--tenant <id>', 'only if the trace is this tenant’s')
    .action(async (traceId: string, flags: { tenant?: string }) => {
      await withTraceStore((store) => {
        process.stdout.write(renderTraceTree(store.get(flags.tenant ?? null, traceId)));
      });
    });
  traces
    .command('tail')
    .description('print traces as they finish, until Ctrl-C')
    .option('--tenant <id>', 'only this tenant')
    .option('--spans', 'print every span as it is stored, not only finished traces')
    .option('--interval <ms>', 'how often to look for new spans', parseInterval, 1000)
    .action(async (flags: { tenant?: string; spans?: boolean; interval: number }) => {
      await withTraceStore((store) => tail(store, { tenantId: flags.tenant ?? null, spans: flags.spans === true, intervalMs: flags.interval }));
    });
  return traces;
}

async function tail(store: TraceStore, options: { tenantId: TenantScope; spans: boolean; intervalMs: number }): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // The cursor is taken before the line that promises "new" traces: whatever is stored once it is printed shows.
    let cursor = store.latestCursor();
    process.stderr.write(`following new ${options.spans ? 'spans' : 'traces'}${options.tenantId ? ` of tenant ${options.tenantId}` : ''} (Ctrl-C to stop)\n`);
    while (!stop.signal.aborted) {
      const batch = store.tail({ tenantId: options.tenantId, after: cursor, rootsOnly: !options.spans, limit: TAIL_BATCH });
      for (const span of batch.spans) {
        process.stdout.write(options.spans ? renderSpanLine(span) : renderTraceLine(store.get(options.tenantId, span.traceId, { maxSpans: 1 }).summary));
      }
      cursor = batch.cursor;
      if (batch.spans.length < TAIL_BATCH) await sleep(options.intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function withTraceStore(work: (store: TraceStore) => void | Promise<void>): Promise<void> {
  return withDatabase((db) => work(new TraceStore(db)));
}

function parseStatus(value: string): SpanStatus {
  if (!STATUSES.includes(value as SpanStatus)) throw new InvalidArgumentError(`use one of ${STATUSES.join(', ')}`);
  return value as SpanStatus;
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new InvalidArgumentError('use a whole number from 1 to 10000');
  return limit;
}

function parseInterval(value: string): number {
  const interval = Number(value);
  if (!Number.isFinite(interval) || interval < 50) throw new InvalidArgumentError('use a number of milliseconds of at least 50');
  return interval;
}
