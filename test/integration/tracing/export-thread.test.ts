import { rmSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';
import { openDatabase, type SqliteDatabase } from '../../../core/db.js';
import { createLogger } from '../../../core/logger.js';
import type { RunSpans } from '../../../core/tracing/run-spans.js';
import { TRACE_CONFIG_KEY } from '../../../core/tracing/trace-scope.js';
import { createTracing, type Tracing } from '../../../core/tracing/tracing.js';
import { runtimeMigrations } from '../../../runtime/migrations.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/** Tracing on a database of its own (local store only), with every log line kept. */
function tracingOnDisk() {
  const temp = makeTempDir('trellis-export-thread-');
  const file = path.join(temp.dir, 'trellis.db');
  const { db } = openDatabase({ file, migrations: runtimeMigrations });
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>));
      done();
    },
  });
  const logger = createLogger({ level: 'warn', pretty: false, destination });
  const tracing = createTracing({ settings: loadConfig({ env: {}, cwd: temp.dir }).tracing, db, logger, version: 'test' });
  return { temp, file, db, tracing, lines };
}

const storedNames = (db: SqliteDatabase, traceId: string) => db.prepare('SELECT name FROM trace_spans WHERE trace_id = ? ORDER BY start_ms').pluck().all(traceId);

describe('the span export thread', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  function open() {
    const opened = tracingOnDisk();
    cleanup = async () => {
      await opened.tracing.shutdown();
      opened.db.close();
      opened.temp.remove();
    };
    return opened;
  }

  function traceWithChild(tracing: Tracing, content: unknown) {
    const trace = tracing.startRun({ runId: 'run-1', tenantId: 'acme', threadId: 'thread-1', target: 'assistant', input: 'hi' });
    const spans = trace.configurable[TRACE_CONFIG_KEY] as RunSpans;
    const tool = spans.start('tool odd', 'tool', 'tool', {}, spans.parentOf(undefined));
    tool.setContent('langfuse.observation.output', content);
    spans.succeed(tool);
    trace.end({ status: 'completed', output: 'done' });
    return trace;
  }

  it('stores every span of a run, with its content made JSON on the export thread', async () => {
    const { tracing, db } = open();
    const trace = traceWithChild(tracing, { passages: [{ text: 'Reset it in Settings.', score: 0.9 }] });
    await tracing.flush();
    expect(storedNames(db, trace.traceId!)).toEqual(['run assistant', 'tool odd']);
    const output = db.prepare("SELECT json_extract(attributes, '$.\"langfuse.observation.output\"') FROM trace_spans WHERE name = 'tool odd'").pluck().get();
    expect(JSON.parse(output as string)).toEqual({ passages: [{ text: 'Reset it in Settings.', score: 0.9 }] });
    expect(tracing.stats().sinks.local).toEqual({ queued: 0, exported: 2, dropped: 0 });
  });

  it('drops only the span whose content cannot cross to the export thread, says so, and keeps the rest', async () => {
    const { tracing, db, lines } = open();
    const trace = traceWithChild(tracing, { format: () => 'a function is not data' });
    await tracing.flush();
    expect(storedNames(db, trace.traceId!)).toEqual(['run assistant']);
    expect(tracing.stats().sinks.local).toEqual({ queued: 0, exported: 1, dropped: 1 });
    expect(lines).toEqual([expect.objectContaining({ span: 'tool odd', msg: expect.stringContaining('could not be handed to the export thread') })]);
  });

  it('drops and counts the spans of a thread that cannot start, logs why once, and never fails the run that traces', async () => {
    const { tracing, file, lines } = open();
    // The export thread opens the database by its file: gone, it finds no trace table and cannot start.
    rmSync(file);
    for (let run = 0; run < 3; run += 1) traceWithChild(tracing, 'fine');
    await tracing.flush();
    await tracing.flush();
    expect(tracing.stats().sinks.local).toEqual({ queued: 0, exported: 0, dropped: 6 });
    expect(lines.filter((line) => String(line.msg).includes('could not start'))).toHaveLength(1);
  });
});
