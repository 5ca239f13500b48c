import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../core/db.js';
import { TraceStore } from '../../core/tracing/trace-store.js';
import type { StoredSpan } from '../../core/tracing/trace-tree.js';
import { runtimeMigrations } from '../../runtime/migrations.js';
import { renderTraceTree } from '../../cli/render-trace.js';
import { cleanEnv, startCommand } from '../helpers/cli-process.js';
import { repoRoot } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { createTestRuntime } from '../helpers/test-runtime.js';
import { runTrace } from '../helpers/trace-fixtures.js';

const exec = promisify(execFile);
const T0 = Date.parse('2026-11-20T10:00:00Z');

describe('trellis traces list | show | tail', () => {
  let temp: ReturnType<typeof makeTempDir>;
  const env = () => cleanEnv({ TRELLIS_DATA_DIR: temp.dir, TRELLIS_CACHE_DIR: `${temp.dir}/cache` });
  const trellis = (...args: string[]) => exec('node', ['bin/trellis.js', 'traces', ...args], { cwd: repoRoot, env: env() });
  /** Stores spans the way the server's SQLite sink does: another connection to the same database file. */
  const store = (spans: readonly StoredSpan[]) => {
    const { db } = openDatabase({ file: path.join(temp.dir, 'trellis.db'), migrations: runtimeMigrations });
    try {
      new TraceStore(db).insert(spans);
    } finally {
      db.close();
    }
  };
  const traces = {
    toolFailed: runTrace({ startMs: T0, durationMs: 2000, toolFails: true, userId: 'alice', threadId: 'thread-1', runId: 'run-1' }),
    failed: runTrace({ startMs: T0 + 60_000, durationMs: 75_000, runFails: true, agent: 'researcher', threadId: 'thread-2', runId: 'run-2' }),
    globex: runTrace({ startMs: T0 + 120_000, tenantId: 'globex', threadId: 'thread-9', runId: 'run-9' }),
  };

  beforeAll(() => {
    temp = makeTempDir();
    store(Object.values(traces).flatMap((trace) => trace.spans));
  });
  afterAll(() => temp.remove());

  it('list prints every tenant’s traces newest first as a table; the filters narrow it', async () => {
    const { stdout } = await trellis('list');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STARTED \(UTC\)\s+TRACE\s+STATUS\s+DURATION\s+SPANS\s+ERRORS\s+TOKENS IN→OUT\s+COST\s+NAME\s+THREAD$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['2026-11-20 10:02:00', traces.globex.traceId, 'ok', '1.00s', '7', '0', '250→50', '$0.004000', 'run assistant', 'thread-9'],
      ['2026-11-20 10:01:00', traces.failed.traceId, 'error', '1m15s', '7', '1', '250→50', '$0.004000', 'run researcher', 'thread-2'],
      ['2026-11-20 10:00:00', traces.toolFailed.traceId, 'ok', '2.00s', '7', '1', '250→50', '$0.004000', 'run assistant', 'thread-1'],
    ]);
    const idsOf = (output: string) => [...output.matchAll(/\b[0-9a-f]{32}\b/g)].map((match) => match[0]);
    // Each CLI start costs seconds: the commands run side by side, and the filters are checked together, each one
    // excluding another trace.
    const [filtered, window, limited, none] = await Promise.all([
      trellis('list', '--tenant', 'acme', '--status', 'error', '--agent', 'researcher', '--thread', 'thread-2', '--run', 'run-2'),
      trellis('list', '--since', '2026-11-20T10:00:30Z', '--until', '1795168890000'),
      trellis('list', '--limit', '1'),
      trellis('list', '--tenant', 'initech'),
    ]);
    expect(idsOf(filtered.stdout)).toEqual([traces.failed.traceId]);
    expect(idsOf(window.stdout)).toEqual([traces.failed.traceId]);
    expect(idsOf(limited.stdout)).toEqual([traces.globex.traceId]);
    expect(limited.stderr).toContain('more traces');
    expect(none.stdout).toBe('no traces\n');
  });

  it('show prints the trace as an indented tree with kinds, durations, tokens, cost and errors', async () => {
    const { stdout } = await trellis('show', traces.toolFailed.traceId);
    expect(stdout).toBe(
      [
        `trace ${traces.toolFailed.traceId}  run assistant`,
        'ok  2.00s  7 spans  1 error  250→50 tokens  $0.004000',
        'started 2026-11-20T10:00:00.000Z  thread thread-1  run run-1  user alice  tenant acme',
        '',
        'run assistant  [run]  2.00s',
        '├─ agent  [node]  600ms',
        '│  └─ chat scripted  [llm]  500ms  100→20 tokens  $0.001500',
        '├─ tools  [node]  600ms',
        '│  └─ tool http_fetch  [tool]  500ms  ✗ TOOL_TIMEOUT: the tool took longer than 100 ms',
        '└─ agent  [node]  560ms',
        '   └─ chat scripted  [llm]  500ms  150→30 tokens  $0.002500',
        '',
      ].join('\n'),
    );
    const failed = await trellis('show', traces.failed.traceId);
    expect(failed.stdout).toContain('run researcher  [run]  1m15s  ✗ MODEL_CALL_FAILED: the model provider failed\n');
  });

  it('show and list refuse unknown traces, other tenants’ traces and bad filters with a code, exiting 1', async () => {
    await Promise.all([
      expect(trellis('show', 'ffffffffffffffffffffffffffffffff')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('error TRACE_NOT_FOUND') }),
      expect(trellis('show', traces.globex.traceId, '--tenant', 'acme')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('TRACE_NOT_FOUND') }),
      expect(trellis('list', '--since', 'yesterday')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('error TRACE_QUERY_INVALID: --since') }),
    ]);
  });

  it('tail prints each trace as it is stored, only the new ones, until Ctrl-C', async () => {
    const tail = startCommand('node', ['bin/trellis.js', 'traces', 'tail', '--tenant', 'acme', '--interval', '100'], env());
    try {
      await tail.waitFor(/following new traces of tenant acme \(Ctrl-C to stop\)/, 20_000);
      const next = runTrace({ startMs: T0 + 180_000, durationMs: 1500, threadId: 'thread-3' });
      const foreign = runTrace({ startMs: T0 + 180_000, tenantId: 'globex' });
      store([...foreign.spans, ...next.spans]);
      const [line] = await tail.waitFor(new RegExp(`^.*${next.traceId}.*$`, 'm'), 10_000);
      expect(line).toBe(`2026-11-20 10:03:00  ${next.traceId}  ok  1.50s  7 spans  250→50 tokens  $0.004000  run assistant  thread thread-3`);
      // The traces stored before it started, and other tenants', are not printed.
      for (const traceId of [traces.toolFailed.traceId, traces.failed.traceId, foreign.traceId]) expect(tail.output()).not.toContain(traceId);
    } finally {
      process.kill(-tail.child.pid!, 'SIGINT');
    }
    expect(await tail.exited).toEqual({ code: 0, signal: null });
  });

  it('tail --spans prints every span as it is stored', async () => {
    const tail = startCommand('node', ['bin/trellis.js', 'traces', 'tail', '--spans', '--interval', '100'], env());
    try {
      await tail.waitFor(/following new spans/, 20_000);
      const next = runTrace({ startMs: T0 + 240_000, toolFails: true });
      store(next.spans);
      await tail.waitFor(/run assistant {2}\[run\]/, 10_000);
      const printed = tail.output().split('\n').filter((line) => line.includes(next.traceId));
      expect(printed).toHaveLength(7);
      expect(printed).toContainEqual(expect.stringMatching(/tool http_fetch {2}\[tool\] {2}250ms {2}✗ TOOL_TIMEOUT/));
    } finally {
      process.kill(-tail.child.pid!, 'SIGINT');
    }
    expect((await tail.exited).code).toBe(0);
  });

  it('show prints a run traced by the server with the same tree as the local store holds', async () => {
    writeFileSync(path.join(temp.dir, 'script.json'), JSON.stringify([{ toolCalls: [{ name: 'calculator', args: { expression: '6*7' }, id: 'c1' }] }, { text: 'It is 42.' }]));
    const runtime = await createTestRuntime({ models: { chat: { provider: 'scripted', scriptPath: path.join(temp.dir, 'script.json') } } });
    try {
      const handle = runtime.runManager.start('acme', { target: 'assistant', message: 'what is 6*7?' });
      await handle.done;
      await runtime.tracing.flush();
      const traceId = runtime.db.prepare('SELECT trace_id FROM runs WHERE id = ?').pluck().get(handle.run.id) as string;
      const expected = renderTraceTree(runtime.traces.get('acme', traceId));
      await runtime.stop();
      const { stdout } = await exec('node', ['bin/trellis.js', 'traces', 'show', traceId], { cwd: repoRoot, env: cleanEnv({ TRELLIS_DATA_DIR: runtime.dataDir }) });
      expect(stdout).toBe(expected);
      const outline = stdout.split('\n\n')[1]!.split('\n').map((line) => line.replace(/\]\s.*$/, ']'));
      expect(outline).toEqual([
        'run assistant  [run]',
        '├─ node agent  [node]',
        '│  └─ chat ScriptedChatModel  [llm]',
        '├─ node tools  [node]',
        '│  └─ tool calculator  [tool]',
        '└─ node agent  [node]',
        '   └─ chat ScriptedChatModel  [llm]',
        '',
      ]);
    } finally {
      await runtime.dispose();
    }
  });
});
