import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../../helpers/test-runtime.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

type TestRuntime = Awaited<ReturnType<typeof createTestRuntime>>;

/** An ingest is a job with a trace of its own: ops see what went in, what failed, and how long it took. */
describe('ingest traces', () => {
  let runtime: TestRuntime;
  let docs: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    runtime = await createTestRuntime();
    docs = makeTempDir('trellis-job-trace-');
    mkdirSync(path.join(docs.dir, 'kb'));
    writeFileSync(path.join(docs.dir, 'kb', 'leave.md'), '# Leave\n\nEmployees get 25 days of paid leave per year.\n');
    writeFileSync(path.join(docs.dir, 'kb', 'vpn.md'), '# VPN\n\nConnect with the corporate VPN client before opening the wiki.\n');
    // A PDF that is not one: the ingest goes on without it and says why.
    writeFileSync(path.join(docs.dir, 'kb', 'broken.pdf'), 'not a pdf at all');
  });
  afterAll(async () => {
    await runtime.dispose();
    docs.remove();
  });

  it('records one trace per ingest with the counts on its root span and an event per failed document', async () => {
    const summary = await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'handbook', root: path.join(docs.dir, 'kb') });
    expect(summary).toMatchObject({ added: 2, failed: 1 });
    await runtime.tracing.flush();

    const page = runtime.traces.list({ tenantId: 'acme', limit: 10 });
    expect(page.traces.map((trace) => trace.name)).toEqual(['ingest handbook']);
    const tree = runtime.traces.get('acme', page.traces[0]!.traceId);
    expect(tree.roots).toHaveLength(1);
    const root = tree.roots[0]!;
    expect(root).toMatchObject({ kind: 'ingest', status: 'ok', tenantId: 'acme' });
    expect(root.attributes).toMatchObject({
      'trellis.ingest.kb': 'handbook',
      'trellis.ingest.files': 3,
      'trellis.ingest.added': 2,
      'trellis.ingest.failed': 1,
      'trellis.ingest.chunks_indexed': summary.chunksIndexed,
      'trellis.job.status': 'completed',
    });
    expect(root.events).toEqual([
      expect.objectContaining({ name: 'document-error', attributes: expect.objectContaining({ 'trellis.ingest.path': expect.stringContaining('broken.pdf') }) }),
    ]);
    // Another tenant does not see it.
    expect(runtime.traces.list({ tenantId: 'globex', limit: 10 }).traces).toEqual([]);
  });

  it('marks the trace failed when the ingest fails, and the failure still reaches the caller', async () => {
    await expect(runtime.knowledge.ingest({ tenantId: 'acme', kb: 'missing-root', root: path.join(docs.dir, 'nowhere') })).rejects.toMatchObject({
      code: 'DOCUMENT_UNREADABLE',
    });
    await runtime.tracing.flush();
    const failed = runtime.traces.list({ tenantId: 'acme', limit: 10 }).traces.find((trace) => trace.name === 'ingest missing-root');
    expect(failed).toMatchObject({ status: 'error', statusMessage: expect.stringContaining('does not exist') });
  });
});
