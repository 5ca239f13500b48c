import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHfTokenizer } from '../../../../core/models/hf-tokenizer.js';
import { chunkDocument } from '../../../../rag/chunk.js';
import type { LoadedDocument, LoadOutcome } from '../../../../rag/loaders/types.js';
import { walkDirectory } from '../../../../rag/loaders/walk-directory.js';
import { sharedDir, sharedModel } from '../../../helpers/paths.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';
import { buildPdf } from '../../../helpers/minimal-pdf.js';
import { buildDocx } from '../../../helpers/minimal-zip.js';

const article = Array.from({ length: 6 }, (_, index) =>
  `<p>Paragraph ${index} of the article explains boundary layers, shock waves, and laminar flow over a flat plate, with enough words, commas, and sentences to read as content.</p>`,
).join('');
const html = `<html><head><title>Flow notes</title></head><body>
<nav><a href="/">HOME-NAV-LINK</a> <a href="/about">ABOUT-NAV-LINK</a></nav>
<header>SITE-HEADER-BANNER</header>
<main><article><h1>Boundary layers</h1>${article}</article></main>
<footer>FOOTER-COPYRIGHT-NOTICE</footer></body></html>`;

let root: { dir: string; remove: () => void };
let outcomes: LoadOutcome[];
const documentsById = () => new Map(outcomes.flatMap((outcome) => (outcome.ok ? [[outcome.document.id, outcome.document] as const] : [])));
const errorsByPath = () => new Map(outcomes.flatMap((outcome) => (outcome.ok ? [] : [[outcome.path, outcome.error] as const])));

beforeAll(async () => {
  root = makeTempDir('trellis-loaders-');
  const write = (name: string, content: string | Buffer) => {
    mkdirSync(path.dirname(path.join(root.dir, name)), { recursive: true });
    writeFileSync(path.join(root.dir, name), content);
  };
  write('guide.md', '---\ntitle: "The Guide"\n---\n# Heading\n\nSome markdown text.\n');
  write('notes/plain.txt', 'Plain text notes.\nSecond line.\n');
  write('page.html', html);
  const pdf = buildPdf([['First page says alpha.', 'More alpha text.'], ['Second page says beta.'], ['Third page says gamma.']], { title: 'Three pages' });
  write('paper.pdf', pdf);
  write('report.docx', buildDocx(['Quarterly report', 'Revenue went up.']));
  write('records.jsonl', '{"id":"r1","text":"First record","lang":"en"}\n\n{"id":"r2","content":"Second record"}\n');
  write('table.csv', 'id,body,score\nc1,"Row one, quoted",3\nc2,Row two,5\n');
  write('beir/corpus.jsonl', '{"_id":"d1","title":"Wind tunnels","text":"About wind tunnels."}\n{"_id":"d2","title":"Only a title","text":""}\n');
  // Hostile files: each must fail on its own with its own code.
  write('broken.pdf', pdf.subarray(0, 200));
  write('locked.pdf', buildPdf([['secret']], { encrypt: true }));
  write('blank.txt', '  \n\n \t\n');
  write('zero.md', '');
  write('junk.txt', Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x00, 0x80, 0x81]));
  write('big.txt', 'b'.repeat(3 * 1024 * 1024));
  write('long-line.txt', 'word '.repeat(400_000));
  write('fake.docx', 'not a zip at all');
  write('bad.jsonl', '{"id":1,"text":"ok"}\n{not json\n');
  // Skipped by default: hidden files, node_modules, unsupported extensions.
  write('.hidden.md', '# hidden');
  write('.git/config.txt', 'hidden folder');
  write('node_modules/pkg/readme.md', '# dependency');
  write('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));

  outcomes = [];
  for await (const outcome of walkDirectory(root.dir, { maxFileBytes: 2.5 * 1024 * 1024 })) outcomes.push(outcome);
});

afterAll(() => root.remove());

describe('walkDirectory', () => {
  it('loads every good document and skips hidden files, node_modules and unsupported types', () => {
    expect([...documentsById().keys()].sort()).toEqual([
      'beir/corpus.jsonl#d1', 'beir/corpus.jsonl#d2', 'guide.md', 'long-line.txt', 'notes/plain.txt', 'page.html',
      'paper.pdf', 'records.jsonl#r1', 'records.jsonl#r2', 'report.docx', 'table.csv#c1', 'table.csv#c2',
    ]);
  });

  it('gives each hostile file its own coded error', () => {
    const codes = Object.fromEntries([...errorsByPath()].map(([filePath, error]) => [filePath, error.code]));
    expect(codes).toEqual({
      'bad.jsonl': 'DOCUMENT_UNREADABLE',
      'big.txt': 'DOCUMENT_TOO_LARGE',
      'blank.txt': 'DOCUMENT_EMPTY',
      'broken.pdf': 'DOCUMENT_UNREADABLE',
      'fake.docx': 'DOCUMENT_UNREADABLE',
      'junk.txt': 'DOCUMENT_UNREADABLE',
      'locked.pdf': 'DOCUMENT_UNREADABLE',
      'zero.md': 'DOCUMENT_EMPTY',
    });
    const errors = errorsByPath();
    expect(errors.get('locked.pdf')?.details.reason).toBe('encrypted');
    expect(errors.get('broken.pdf')?.details.reason).toBe('damaged');
    expect(errors.get('bad.jsonl')?.message).toContain('line 2');
    for (const error of errors.values()) expect(error.hint.length).toBeGreaterThan(10);
  });

  it('reads Markdown, text and DOCX with stable ids and raw-byte hashes', () => {
    const documents = documentsById();
    expect(documents.get('guide.md')).toMatchObject({ title: 'The Guide', mimeType: 'text/markdown', text: '# Heading\n\nSome markdown text.\n' });
    expect(documents.get('notes/plain.txt')).toMatchObject({ source: 'notes/plain.txt', text: 'Plain text notes.\nSecond line.\n' });
    expect(documents.get('report.docx')?.text).toBe('Quarterly report\n\nRevenue went up.');
    const bytes = readFileSync(path.join(root.dir, 'notes/plain.txt'));
    expect(documents.get('notes/plain.txt')?.contentHash).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('keeps the article of an HTML page and drops its navigation and footer', () => {
    const page = documentsById().get('page.html') as LoadedDocument;
    expect(page.text).toContain('Paragraph 5 of the article');
    expect(page.text).toContain('\n\n');
    for (const noise of ['HOME-NAV-LINK', 'SITE-HEADER-BANNER', 'FOOTER-COPYRIGHT-NOTICE']) expect(page.text).not.toContain(noise);
  });

  it('maps PDF pages to their text and chunks to their pages', async () => {
    const pdf = documentsById().get('paper.pdf') as LoadedDocument;
    expect(pdf.title).toBe('Three pages');
    expect(pdf.pages?.map((page) => pdf.text.slice(page.start, page.end))).toEqual([
      'First page says alpha.\nMore alpha text.', 'Second page says beta.', 'Third page says gamma.',
    ]);
    const chunks = await chunkDocument(pdf, { chunkSize: 6, chunkOverlap: 0, countTokens: (text) => text.split(/\s+/).filter(Boolean).length });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) {
      expect(pdf.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      const expected = /alpha/.test(chunk.text) ? 1 : /beta/.test(chunk.text) ? 2 : 3;
      expect(chunk.page).toBe(expected);
    }
  });

  it('turns JSONL, CSV and BEIR records into one document each, keeping ids, titles and fields', () => {
    const documents = documentsById();
    expect(documents.get('records.jsonl#r1')).toMatchObject({ text: 'First record', metadata: { lang: 'en', recordId: 'r1' } });
    expect(documents.get('records.jsonl#r2')?.text).toBe('Second record');
    expect(documents.get('table.csv#c1')).toMatchObject({ text: 'Row one, quoted', metadata: { score: '3' } });
    expect(documents.get('beir/corpus.jsonl#d1')).toMatchObject({ title: 'Wind tunnels', text: 'About wind tunnels.' });
    expect(documents.get('beir/corpus.jsonl#d2')).toMatchObject({ title: 'Only a title', text: 'Only a title' });
    expect(documents.get('records.jsonl#r1')?.contentHash).not.toBe(documents.get('records.jsonl#r2')?.contentHash);
  });

  it('loads and chunks a 2 MB single line', async () => {
    const long = documentsById().get('long-line.txt') as LoadedDocument;
    const chunks = await chunkDocument(long, { chunkSize: 256, chunkOverlap: 32 });
    expect(chunks.at(-1)?.end).toBe(long.text.trimEnd().length);
    for (const chunk of chunks) expect(long.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
  });
});

describe('chunking with the real BERT tokenizer', () => {
  it('keeps every Cranfield chunk within chunkSize tokens and chunks all 1,400 documents quickly', async () => {
    const tokenizer = await loadHfTokenizer(sharedModel('all-MiniLM-L6-v2-tokenizer'));
    const countTokens = (text: string) => (tokenizer.encodeBatch([text], { maxLength: 1_000_000 }).tokenCounts[0] as number) - tokenizer.specialTokenCount;
    const documents = parseCranfield(readFileSync(path.join(sharedDir, 'datasets/cranfield/cran.all.1400'), 'utf8'));
    expect(documents).toHaveLength(1400);
    const started = performance.now();
    const chunks = [];
    for (const document of documents) chunks.push(...(await chunkDocument(document, { chunkSize: 64, chunkOverlap: 8, countTokens })));
    const elapsed = performance.now() - started;
    console.info(`Cranfield: 1400 documents -> ${chunks.length} chunks in ${elapsed.toFixed(0)} ms (BERT token counts, chunkSize 64)`);
    const byId = new Map(documents.map((document) => [document.id, document]));
    for (const chunk of chunks) {
      expect(byId.get(chunk.documentId)?.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      expect(countTokens(chunk.text)).toBeLessThanOrEqual(64);
    }
    expect(elapsed).toBeLessThan(20_000);
  });
});

/** `.I` starts a record; `.T` title and `.W` abstract become the text (PROVENANCE.md describes the format). */
function parseCranfield(content: string): LoadedDocument[] {
  return content.split(/^\.I /m).slice(1).map((record) => {
    const id = (record.split('\n')[0] as string).trim();
    const field = (tag: string) => new RegExp(`^\\.${tag}\\n([\\s\\S]*?)(?=^\\.[A-Z]\\n|$(?![\\s\\S]))`, 'm').exec(record)?.[1]?.trim() ?? '';
    const title = field('T');
    return {
      id: `cranfield#${id}`, source: 'cran.all.1400', title, mimeType: 'text/plain',
      text: `${title}\n\n${field('W')}`, metadata: {}, contentHash: id,
    };
  });
}
