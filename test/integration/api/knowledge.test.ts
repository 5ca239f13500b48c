import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { buildPdf } from '../../helpers/minimal-pdf.js';
import { createKnowledgeBase, followJob, ingest, type UploadFile } from './knowledge-client.js';

const HANDBOOK: readonly UploadFile[] = [
  { name: 'guide.md', content: '# Crossing guide\n\nAt a zebra crossing, pedestrians on the stripes have priority over cars.\n' },
  { name: 'notes/budget.txt', content: 'The quarterly budget review moved the marquee festival to the autumn.\n' },
  {
    name: 'page.html',
    content:
      '<html><head><title>Aerodynamics</title></head><body><nav>Home | About</nav>' +
      '<p>Oblique shock waves form when a wedge meets supersonic flow.</p></body></html>',
  },
  {
    name: 'paper.pdf',
    // A long first page, so that the second page's passage is a chunk of its own and cites page 2.
    content: buildPdf([
      Array.from({ length: 40 }, (_, line) => `Observation log entry ${line + 1} records the weather over the research station.`),
      ['The aurora borealis glows green near the magnetic poles.'],
    ]),
  },
];

interface HitWire {
  chunk_id: string;
  text: string;
  citation: { kb: string; document_id: string; source: string; start: number; end: number; page: number | null };
  why: Record<string, { rank: number }>;
}

describe('knowledge bases over HTTP', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const search = async (kb: string, body: Record<string, unknown>) => {
    const response = await server.request(`/knowledge-bases/${kb}/search`, { method: 'POST', json: body, key: server.keys.chat });
    return { status: response.status, body: (await response.json()) as { mode: string; notice: string | null; hits: HitWire[] } };
  };
  const kbInfo = async (kb: string) => (await (await server.request(`/knowledge-bases/${kb}`)).json()) as { documents: number; chunks: number };

  describe('knowledge base lifecycle', () => {
    it('creates a knowledge base (201, Location), lists and gets it, refuses a second of the same name', async () => {
      const created = await server.request('/knowledge-bases', { method: 'POST', json: { name: 'lifecycle', description: 'for tests' }, key: server.keys.ingest });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe('/knowledge-bases/lifecycle');
      expect(await created.json()).toEqual({
        id: expect.any(String),
        name: 'lifecycle',
        description: 'for tests',
        embedder: null,
        dimensions: null,
        documents: 0,
        chunks: 0,
        created_at: expect.any(String),
      });
      const again = await createKnowledgeBase(server, 'lifecycle');
      expect(again.status).toBe(409);
      expect((await again.json()).error.code).toBe('KB_ALREADY_EXISTS');

      const list = await server.request('/knowledge-bases', { key: server.keys.chat });
      expect((await list.json()).data.map((kb: { name: string }) => kb.name)).toContain('lifecycle');
      const one = await server.request('/knowledge-bases/lifecycle', { key: server.keys.chat });
      expect(await one.json()).toMatchObject({ name: 'lifecycle', description: 'for tests' });
    });

    it('refuses a name that cannot be one with API_BODY_INVALID', async () => {
      const response = await createKnowledgeBase(server, '../escape');
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe('API_BODY_INVALID');
    });

    it('deletes a knowledge base with its documents; afterwards every route answers KB_NOT_FOUND', async () => {
      await createKnowledgeBase(server, 'doomed');
      await ingest(server, 'doomed', [{ name: 'a.md', content: '# A\n\nThe platypus lays eggs.\n' }]);
      const deleted = await server.request('/knowledge-bases/doomed', { method: 'DELETE', key: server.keys.ingest });
      expect(deleted.status).toBe(204);
      for (const [method, url] of [['GET', '/knowledge-bases/doomed'], ['GET', '/knowledge-bases/doomed/documents'], ['DELETE', '/knowledge-bases/doomed']]) {
        const response = await server.request(url!, { method });
        expect(response.status, `${method} ${url}`).toBe(404);
        expect((await response.json()).error.code).toBe('KB_NOT_FOUND');
      }
      expect(server.runtime.db.prepare("SELECT count(*) FROM documents WHERE id = 'a.md'").pluck().get()).toBe(0);
    });
  });

  describe('uploading and ingesting', () => {
    let jobId: string;
    let firstJob: Awaited<ReturnType<typeof ingest>>;
    beforeAll(async () => {
      expect((await createKnowledgeBase(server, 'handbook')).status).toBe(201);
      firstJob = await ingest(server, 'handbook', HANDBOOK);
      jobId = firstJob.accepted.id;
    });

    it('answers 202 with the queued job, every file listed, and its Location', () => {
      expect(firstJob.location).toBe(`/knowledge-bases/handbook/ingest-jobs/${jobId}`);
      expect(firstJob.accepted).toMatchObject({ kb: 'handbook', status: 'queued', files_total: 4, files_done: 0 });
      expect(firstJob.accepted.files.map((file) => [file.name, file.status])).toEqual([
        ['guide.md', 'queued'],
        ['notes/budget.txt', 'queued'],
        ['page.html', 'queued'],
        ['paper.pdf', 'queued'],
      ]);
      expect(firstJob.accepted.files.find((file) => file.name === 'paper.pdf')!.bytes).toBe((HANDBOOK[3]!.content as Buffer).length);
    });

    it('ends the job completed, every file added, with the counts', async () => {
      const response = await server.request(`/knowledge-bases/handbook/ingest-jobs/${jobId}`, { key: server.keys.ingest });
      expect(response.status).toBe(200);
      const job = await response.json();
      expect(job).toEqual(firstJob.job);
      expect(job).toMatchObject({
        status: 'completed',
        files_done: 4,
        files_total: 4,
        dense: false,
        error: null,
        counts: { added: 4, updated: 0, unchanged: 0, failed: 0, chunks_indexed: expect.any(Number) },
      });
      expect(job.counts.chunks_indexed).toBeGreaterThanOrEqual(4);
      expect(job.files.every((file: { status: string; documents: number }) => file.status === 'added' && file.documents === 1)).toBe(true);
    });

    it('streams progress as server-sent events: queued, start, one progress per file, end', async () => {
      const { frames, contentType } = await followJob(server, 'handbook', jobId);
      expect(contentType).toMatch(/^text\/event-stream/);
      expect(frames.map((frame) => frame.event)).toEqual([
        'ingest-queued',
        'ingest-start',
        'ingest-progress',
        'ingest-progress',
        'ingest-progress',
        'ingest-progress',
        'ingest-end',
      ]);
      expect(frames.map((frame) => frame.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      const progress = frames.filter((frame) => frame.event === 'ingest-progress').map((frame) => frame.data);
      expect(progress.map((data) => data.files_done)).toEqual([1, 2, 3, 4]);
      expect(progress.every((data) => data.files_total === 4)).toBe(true);
    });

    it('resumes the event stream after Last-Event-ID without repeating events', async () => {
      const { frames } = await followJob(server, 'handbook', jobId, { lastEventId: 5 });
      expect(frames.map((frame) => frame.id)).toEqual([6, 7]);
    });

    it('leaves no uploaded file behind once the job has ended', () => {
      expect(readdirSync(path.join(server.runtime.dataDir, 'uploads'))).toEqual([]);
    });

    it('finds the passage with a citation whose span is in the stored document text', async () => {
      const { status, body } = await search('handbook', { query: 'aurora borealis magnetic poles', mode: 'keyword', top_k: 3 });
      expect(status).toBe(200);
      expect(body.mode).toBe('keyword');
      const [best] = body.hits;
      expect(best).toMatchObject({
        text: expect.stringContaining('aurora borealis'),
        citation: { kb: 'handbook', document_id: 'paper.pdf', source: 'paper.pdf', page: 2 },
        why: { keyword: { rank: 1 } },
      });
      const document = await (await server.request('/knowledge-bases/handbook/documents/paper.pdf', { key: server.keys.chat })).json();
      expect(document.text.slice(best!.citation.start, best!.citation.end)).toBe(best!.text);
    });

    it('searches in hybrid mode by default and says it fell back to keywords without an embedder', async () => {
      const { status, body } = await search('handbook', { query: 'oblique shock waves' });
      expect(status).toBe(200);
      expect(body.mode).toBe('keyword');
      expect(body.notice).toContain('keywords only');
      expect(body.hits[0]!.citation.source).toBe('page.html');
      expect(body.hits.some((hit) => hit.text.includes('Home | About'))).toBe(false);
    });

    it('restricts a search with a metadata filter', async () => {
      const unfiltered = await search('handbook', { query: 'zebra crossing priority', mode: 'keyword' });
      expect(unfiltered.body.hits[0]!.citation.source).toBe('guide.md');
      const filtered = await search('handbook', { query: 'zebra crossing priority', mode: 'keyword', filter: { source: 'notes/budget.txt' } });
      expect(filtered.status).toBe(200);
      expect(filtered.body.hits.every((hit) => hit.citation.source === 'notes/budget.txt')).toBe(true);
    });

    it('refuses a dense search without an embedder, and malformed search bodies, with codes', async () => {
      const dense = await search('handbook', { query: 'aurora', mode: 'dense' });
      expect(dense.status).toBe(503);
      expect((dense.body as unknown as { error: { code: string } }).error.code).toBe('MODEL_UNAVAILABLE');
      for (const body of [{}, { query: '   ' }, { query: 'x', top_k: 0 }, { query: 'x', mode: 'fuzzy' }, { query: 'x', diversity: 2 }, { query: 'x', extra: 1 }]) {
        const response = await search('handbook', body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect((response.body as unknown as { error: { code: string } }).error.code).toBe('API_BODY_INVALID');
      }
    });

    it('lists documents a page at a time with a cursor, and counts them on the knowledge base', async () => {
      const first = await (await server.request('/knowledge-bases/handbook/documents?limit=3', { key: server.keys.chat })).json();
      expect(first.total).toBe(4);
      expect(first.data.map((document: { id: string }) => document.id)).toEqual(['guide.md', 'notes/budget.txt', 'page.html']);
      expect(first.data[0]).toEqual({
        id: 'guide.md',
        source: 'guide.md',
        title: 'Crossing guide',
        mime_type: 'text/markdown',
        content_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        metadata: {},
        status: 'ready',
        chunks: 1,
        characters: expect.any(Number),
        pages: null,
        updated_at: expect.any(String),
      });
      const second = await (await server.request(`/knowledge-bases/handbook/documents?limit=3&cursor=${first.next_cursor}`, { key: server.keys.chat })).json();
      expect(second.data.map((document: { id: string }) => document.id)).toEqual(['paper.pdf']);
      expect(second.data[0]).toMatchObject({ pages: 2, mime_type: 'application/pdf' });
      expect(second.next_cursor).toBeNull();
      expect(await kbInfo('handbook')).toMatchObject({ documents: 4 });
      const bad = await server.request('/knowledge-bases/handbook/documents?limit=1000');
      expect(bad.status).toBe(400);
    });

    it('gets a document by its URL-encoded path id; an unknown id is DOCUMENT_NOT_FOUND', async () => {
      const response = await server.request(`/knowledge-bases/handbook/documents/${encodeURIComponent('notes/budget.txt')}`, { key: server.keys.chat });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: 'notes/budget.txt', text: expect.stringContaining('marquee festival') });
      const missing = await server.request('/knowledge-bases/handbook/documents/nope.md');
      expect(missing.status).toBe(404);
      expect((await missing.json()).error.code).toBe('DOCUMENT_NOT_FOUND');
    });

    it('re-uploading the same files is idempotent: every file unchanged, no chunk indexed', async () => {
      const before = await kbInfo('handbook');
      const { job } = await ingest(server, 'handbook', HANDBOOK);
      expect(job.status).toBe('completed');
      expect(job.counts).toMatchObject({ added: 0, updated: 0, unchanged: 4, chunks_indexed: 0, chunks_removed: 0 });
      expect(job.files.map((file) => file.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
      expect(await kbInfo('handbook')).toEqual(before);
    });

    it('re-uploading a changed file replaces its passages', async () => {
      const { job } = await ingest(server, 'handbook', [{ name: 'notes/budget.txt', content: 'The budget review now funds a lighthouse restoration.\n' }]);
      expect(job.files[0]).toMatchObject({ name: 'notes/budget.txt', status: 'updated' });
      expect(job.counts).toMatchObject({ updated: 1, chunks_indexed: 1, chunks_removed: 1 });
      expect((await search('handbook', { query: 'marquee festival', mode: 'keyword' })).body.hits).toEqual([]);
      expect((await search('handbook', { query: 'lighthouse restoration', mode: 'keyword' })).body.hits[0]!.citation.source).toBe('notes/budget.txt');
    });

    it('deletes a document from SQLite and the keyword index: gone from listing and search', async () => {
      const deleted = await server.request(`/knowledge-bases/handbook/documents/${encodeURIComponent('guide.md')}`, { method: 'DELETE', key: server.keys.ingest });
      expect(deleted.status).toBe(200);
      expect(await deleted.json()).toEqual({ id: 'guide.md', chunks_removed: 1 });
      expect((await search('handbook', { query: 'zebra crossing pedestrians', mode: 'keyword' })).body.hits.map((hit) => hit.citation.source)).not.toContain('guide.md');
      const kb = server.runtime.knowledge.knowledgeBases.getByName('acme', 'handbook');
      const keywordEntries = await server.runtime.stores.keyword.count({ tenantId: 'acme', kbId: kb.id });
      expect(keywordEntries).toBe(server.runtime.knowledge.documents.countChunks(kb.id));
      expect(server.runtime.knowledge.documents.tombstones(kb.id)).toEqual([]);
      expect(await kbInfo('handbook')).toMatchObject({ documents: 3 });
      const again = await server.request(`/knowledge-bases/handbook/documents/guide.md`, { method: 'DELETE' });
      expect(again.status).toBe(404);
      expect((await again.json()).error.code).toBe('DOCUMENT_NOT_FOUND');
    });

    it('answers INGEST_JOB_NOT_FOUND for an unknown job, and for a job asked for under another knowledge base', async () => {
      await createKnowledgeBase(server, 'other-kb');
      for (const url of ['/knowledge-bases/handbook/ingest-jobs/no-such-job', `/knowledge-bases/other-kb/ingest-jobs/${jobId}`, `/knowledge-bases/other-kb/ingest-jobs/${jobId}/events`]) {
        const response = await server.request(url);
        expect(response.status, url).toBe(404);
        expect((await response.json()).error.code).toBe('INGEST_JOB_NOT_FOUND');
      }
    });
  });
});
