import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import type { StoreScope } from '../../../rag/stores/types.js';
import { buildPdf } from '../../helpers/minimal-pdf.js';
import { buildDocx } from '../../helpers/minimal-zip.js';
import { sharedModel } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

type TestRuntime = Awaited<ReturnType<typeof createTestRuntime>>;

const prose = (topic: string, sentences: number) =>
  Array.from({ length: sentences }, (_, index) => `Sentence ${index} about ${topic} explains how ${topic} behaves in practice.`).join(' ');

/** One folder with every supported type, plus the hostile files the issue names. */
function writeCorpus(dir: string): void {
  const write = (name: string, content: string | Buffer) => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  };
  write('guide.md', `# Hypersonic inlets\n\n${prose('hypersonic inlet design', 6)}\n\n## Cooling\n\n${prose('regenerative cooling', 4)}\n`);
  write('notes/plain.txt', `${prose('turbulent boundary layers', 8)}\n`);
  write(
    'page.html',
    `<html><body><nav>NAVIGATION-LINKS</nav><main><article><h1>Shock waves</h1>${Array.from({ length: 5 }, () => `<p>${prose('oblique shock waves', 3)}</p>`).join('')}</article></main><footer>FOOTER-TEXT</footer></body></html>`,
  );
  const sentences = (topic: string) => prose(topic, 8).split(/(?<=\.) /);
  write('paper.pdf', buildPdf([sentences('laminar flow over flat plates'), ['The zebra stripe anomaly in wind tunnels.', ...sentences('tunnel calibration')]], { title: 'Two pages' }));
  write('report.docx', buildDocx(['Quarterly report on propeller noise', prose('propeller noise reduction', 3)]));
  write('records.jsonl', '{"id":"r1","text":"Record about magnetohydrodynamic generators."}\n{"id":"r2","text":"Record about ablative heat shields."}\n');
  write('table.csv', 'id,text\nc1,Row about supersonic combustion ramjets.\nc2,Row about rotor blade flutter.\n');
  write('huge-line.txt', `${'wing '.repeat(60_000)}\n`);
  // Hostile files: each must fail alone, with its own code.
  write('broken.pdf', buildPdf([['This PDF is cut short.']]).subarray(0, 120));
  write('empty.md', '   \n\n');
  write('zero.txt', '');
  write('junk.txt', Buffer.from([0, 159, 146, 150, 0, 255, 1, 2, 3, 0]));
}

/** Chunks held by the source of truth and by each index, which must always agree. */
async function storeCounts(runtime: TestRuntime, kbName: string, tenantId = 'acme') {
  const kb = runtime.knowledge.knowledgeBases.getByName(tenantId, kbName);
  const scope: StoreScope = { tenantId, kbId: kb.id };
  return {
    sqlite: runtime.knowledge.documents.countChunks(kb.id),
    keyword: await runtime.stores.keyword.count(scope),
    vector: await (await runtime.stores.vector.get()).count(scope),
  };
}

describe('ingestion into SQLite, FTS5 and a real Chroma sidecar', () => {
  let runtime: TestRuntime;
  let corpus: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    corpus = makeTempDir('trellis-corpus-');
    writeCorpus(corpus.dir);
    runtime = await createTestRuntime({
      stores: { vector: { provider: 'chroma' } },
      models: { embedding: { path: sharedModel('glove-6B-100d-60k-onnx') } },
      rag: { chunkSize: 64, chunkOverlap: 8 },
    });
  }, 120_000);
  afterAll(async () => {
    await runtime?.dispose();
    corpus?.remove();
  });

  it('indexes every file type and reports each hostile file with its own code', async () => {
    const summary = await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'docs', root: corpus.dir });
    expect(summary.dense).toBe(true);
    const codes = Object.fromEntries(summary.failures.map((failure) => [failure.path, failure.code]));
    expect(codes).toEqual({
      'broken.pdf': 'DOCUMENT_UNREADABLE',
      'empty.md': 'DOCUMENT_EMPTY',
      'zero.txt': 'DOCUMENT_EMPTY',
      'junk.txt': 'DOCUMENT_UNREADABLE',
    });
    expect(runtime.knowledge.documents.documentIds(runtime.knowledge.knowledgeBases.getByName('acme', 'docs').id)).toEqual([
      'guide.md',
      'huge-line.txt',
      'notes/plain.txt',
      'page.html',
      'paper.pdf',
      'records.jsonl#r1',
      'records.jsonl#r2',
      'report.docx',
      'table.csv#c1',
      'table.csv#c2',
    ]);
    const counts = await storeCounts(runtime, 'docs');
    expect(counts.keyword).toBe(counts.sqlite);
    expect(counts.vector).toBe(counts.sqlite);
  });

  it.each(['keyword', 'dense', 'hybrid'] as const)('finds passages in %s mode with exact citations', async (mode) => {
    const result = await runtime.knowledge.search({ tenantId: 'acme', kb: 'docs', query: 'zebra stripe anomaly wind tunnels', mode, topK: 5 });
    expect(result.mode).toBe(mode);
    for (const hit of result.hits) {
      const document = runtime.db
        .prepare<[string], string>("SELECT text FROM documents WHERE id = ?")
        .pluck()
        .get(hit.citation.documentId)!;
      expect(document.slice(hit.citation.start, hit.citation.end)).toBe(hit.text);
    }
    if (mode !== 'dense') {
      // The weak GloVe embedder alone may rank it lower; BM25 (and so hybrid) must put it first.
      expect(result.hits[0]).toMatchObject({ citation: { source: 'paper.pdf', page: 2, kb: 'docs' } });
      expect(result.hits[0]!.why.keyword?.rank).toBe(1);
    } else {
      expect(result.hits.some((hit) => hit.citation.source === 'paper.pdf')).toBe(true);
    }
  });

  it('keeps navigation out of HTML passages', async () => {
    const result = await runtime.knowledge.search({ tenantId: 'acme', kb: 'docs', query: 'oblique shock waves', mode: 'keyword' });
    const html = result.hits.filter((hit) => hit.citation.source === 'page.html');
    expect(html.length).toBeGreaterThan(0);
    expect(html.map((hit) => hit.text).join(' ')).not.toMatch(/NAVIGATION-LINKS|FOOTER-TEXT/);
  });

  it('re-ingesting the same folder 10 times changes nothing in any store', async () => {
    const before = await storeCounts(runtime, 'docs');
    for (let run = 0; run < 10; run += 1) {
      const summary = await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'docs', root: corpus.dir });
      expect(summary).toMatchObject({ added: 0, updated: 0, deleted: 0, chunksIndexed: 0, chunksRemoved: 0, unchanged: 10 });
    }
    expect(await storeCounts(runtime, 'docs')).toEqual(before);
  });

  it('editing one file replaces only the chunks that changed', async () => {
    const kb = runtime.knowledge.knowledgeBases.getByName('acme', 'docs');
    const idsOf = (documentId: string) =>
      runtime.db
        .prepare<[string, string], string>('SELECT id FROM chunks WHERE kb_id = ? AND document_id = ? ORDER BY position')
        .pluck()
        .all(kb.id, documentId);
    const guideBefore = idsOf('guide.md');
    const plainBefore = idsOf('notes/plain.txt');
    writeFileSync(
      path.join(corpus.dir, 'guide.md'),
      `# Hypersonic inlets\n\n${prose('hypersonic inlet design', 6)}\n\n## Cooling\n\n${prose('transpiration cooling with porous walls', 4)}\n`,
    );
    const summary = await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'docs', root: corpus.dir });
    expect(summary).toMatchObject({ updated: 1, added: 0, unchanged: 9 });
    const guideAfter = idsOf('guide.md');
    expect(guideAfter.filter((id) => guideBefore.includes(id)).length).toBeGreaterThan(0);
    expect(summary.chunksIndexed).toBe(guideAfter.filter((id) => !guideBefore.includes(id)).length);
    expect(summary.chunksRemoved).toBe(guideBefore.filter((id) => !guideAfter.includes(id)).length);
    expect(idsOf('notes/plain.txt')).toEqual(plainBefore);
    const counts = await storeCounts(runtime, 'docs');
    expect([counts.keyword, counts.vector]).toEqual([counts.sqlite, counts.sqlite]);
    const found = await runtime.knowledge.search({ tenantId: 'acme', kb: 'docs', query: 'transpiration porous walls', mode: 'keyword' });
    expect(found.hits[0]?.citation.source).toBe('guide.md');
  });

  it('a file deleted from the folder leaves every store with --sync, and only then', async () => {
    rmSync(path.join(corpus.dir, 'report.docx'));
    const withoutSync = await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'docs', root: corpus.dir });
    expect(withoutSync.deleted).toBe(0);
    const synced = await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'docs', root: corpus.dir, sync: true });
    expect(synced.deleted).toBe(1);
    for (const mode of ['keyword', 'dense', 'hybrid'] as const) {
      const result = await runtime.knowledge.search({ tenantId: 'acme', kb: 'docs', query: 'propeller noise reduction quarterly report', mode, topK: 50 });
      expect(result.hits.map((hit) => hit.citation.source)).not.toContain('report.docx');
    }
    const counts = await storeCounts(runtime, 'docs');
    expect([counts.keyword, counts.vector]).toEqual([counts.sqlite, counts.sqlite]);
    // Unreadable files keep nothing they never had, and sync does not treat them as deleted.
    expect(synced.failed).toBe(4);
  });

  it('refuses a folder that does not exist, so a mistyped path with --sync removes nothing', async () => {
    const before = await storeCounts(runtime, 'docs');
    await expect(
      runtime.knowledge.ingest({ tenantId: 'acme', kb: 'docs', root: path.join(corpus.dir, 'no-such-folder'), sync: true }),
    ).rejects.toMatchObject({ code: 'DOCUMENT_UNREADABLE', message: expect.stringContaining('does not exist') });
    await expect(
      runtime.knowledge.ingest({ tenantId: 'acme', kb: 'docs', root: path.join(corpus.dir, 'guide.md'), sync: true }),
    ).rejects.toMatchObject({ code: 'DOCUMENT_UNREADABLE', message: expect.stringContaining('is not a folder') });
    expect(await storeCounts(runtime, 'docs')).toEqual(before);
  });

  it('never shows one tenant another tenant\'s passages, in any mode', async () => {
    const other = makeTempDir('trellis-other-');
    try {
      writeFileSync(path.join(other.dir, 'secret.txt'), 'The zebra stripe anomaly is a confidential finding of tenant globex.');
      await runtime.knowledge.ingest({ tenantId: 'globex', kb: 'docs', root: other.dir });
      for (const mode of ['keyword', 'dense', 'hybrid'] as const) {
        const acme = await runtime.knowledge.search({ tenantId: 'acme', kb: 'docs', query: 'zebra stripe anomaly confidential globex', mode, topK: 50 });
        expect(acme.hits.map((hit) => hit.citation.source)).not.toContain('secret.txt');
        const globex = await runtime.knowledge.search({ tenantId: 'globex', kb: 'docs', query: 'zebra stripe anomaly', mode, topK: 50 });
        expect(globex.hits.map((hit) => hit.citation.source)).toEqual(['secret.txt']);
      }
      await expect(runtime.knowledge.search({ tenantId: 'globex', kb: 'missing', query: 'x' })).rejects.toSatisfy((error) =>
        TrellisError.isInstance(error, 'KB_NOT_FOUND'),
      );
    } finally {
      other.remove();
    }
  });

  it('filters by document metadata and diversifies near-duplicates with MMR', async () => {
    const folder = makeTempDir('trellis-dups-');
    try {
      const duplicate = 'Turbine blade cooling uses film cooling holes and internal channels to protect the blade.';
      writeFileSync(path.join(folder.dir, 'a.txt'), duplicate);
      writeFileSync(path.join(folder.dir, 'b.txt'), `${duplicate} `);
      writeFileSync(path.join(folder.dir, 'c.txt'), 'Turbine noise comes from blade tips; cooling the exhaust changes it little.');
      await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'dups', root: folder.dir });
      const query = 'turbine blade cooling film holes';
      const plain = await runtime.knowledge.search({ tenantId: 'acme', kb: 'dups', query, mode: 'hybrid', topK: 2 });
      expect(plain.hits.map((hit) => hit.citation.source).sort()).toEqual(['a.txt', 'b.txt']);
      const varied = await runtime.knowledge.search({ tenantId: 'acme', kb: 'dups', query, mode: 'hybrid', topK: 2, diversity: 0.3 });
      expect(varied.hits.map((hit) => hit.citation.source)).toContain('c.txt');
      const filtered = await runtime.knowledge.search({ tenantId: 'acme', kb: 'dups', query, filter: { source: ['c.txt'] } });
      expect(filtered.hits.map((hit) => hit.citation.source)).toEqual(['c.txt']);
    } finally {
      folder.remove();
    }
  });

  it('rebuilds both indexes from SQLite with reindex', async () => {
    const before = await storeCounts(runtime, 'docs');
    const result = await runtime.knowledge.reindex({ tenantId: 'acme', kb: 'docs' });
    expect(result).toEqual({ chunks: before.sqlite, dense: true });
    expect(await storeCounts(runtime, 'docs')).toEqual(before);
  });
});
