import { describe, expect, it } from 'vitest';
import { chunkDocument, type Chunk } from '../../../rag/chunk.js';
import type { LoadedDocument } from '../../../rag/loaders/types.js';

function documentOf(text: string, overrides: Partial<LoadedDocument> = {}): LoadedDocument {
  return { id: 'notes/a.txt', source: 'notes/a.txt', mimeType: 'text/plain', text, metadata: {}, contentHash: 'h', ...overrides };
}

function expectExactSpans(document: LoadedDocument, chunks: readonly Chunk[]): void {
  chunks.forEach((chunk, index) => {
    expect(document.text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunk.index).toBe(index);
    expect(chunk.documentId).toBe(document.id);
    if (index > 0) expect(chunk.start).toBeGreaterThan((chunks[index - 1] as Chunk).start);
  });
}

// Paragraphs of 30-40 words: with chunkSize 60 words each holds one paragraph, and overlap never spans two.
const words = (seed: number, count: number) =>
  Array.from({ length: count }, (_, index) => `w${seed}x${index % 7}`).join(' ');
const paragraphs = Array.from({ length: 12 }, (_, index) => `Paragraph ${index}. ${words(index, 30 + (index % 10))}`);
const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('chunkDocument', () => {
  it('gives every chunk an exact span of the document text', async () => {
    const document = documentOf(`  ${paragraphs.join('\n\n')}\n\n   trailing spaces   \n`);
    const chunks = await chunkDocument(document, { chunkSize: 20, chunkOverlap: 5, countTokens: countWords });
    expect(chunks.length).toBeGreaterThan(12);
    expectExactSpans(document, chunks);
    for (const chunk of chunks) expect(countWords(chunk.text)).toBeLessThanOrEqual(20);
  });

  it('locates chunks in highly repetitive text without jumping back to look-alikes', async () => {
    const document = documentOf(Array.from({ length: 400 }, () => 'same words again').join(' '));
    const chunks = await chunkDocument(document, { chunkSize: 12, chunkOverlap: 3, countTokens: countWords });
    expectExactSpans(document, chunks);
    // Consecutive chunks overlap by at most the overlap, so the spans cover the text in order.
    expect(chunks.at(-1)?.end).toBe(document.text.length);
    for (let index = 1; index < chunks.length; index += 1) {
      const overlap = document.text.slice((chunks[index] as Chunk).start, (chunks[index - 1] as Chunk).end);
      expect(countWords(overlap)).toBeLessThanOrEqual(3);
    }
  });

  it('gives the same ids on every run and only new ids to the edited paragraph', async () => {
    const options = { chunkSize: 60, chunkOverlap: 8, countTokens: countWords };
    const original = documentOf(paragraphs.join('\n\n'));
    const first = await chunkDocument(original, options);
    const second = await chunkDocument(original, options);
    expect(second).toEqual(first);
    expect(new Set(first.map((chunk) => chunk.id)).size).toBe(first.length);

    const edited = documentOf(paragraphs.map((text, index) => (index === 5 ? text.replace('Paragraph 5.', 'Paragraph five, edited and longer.') : text)).join('\n\n'));
    const after = await chunkDocument(edited, options);
    expectExactSpans(edited, after);
    const before = new Set(first.map((chunk) => chunk.id));
    const changed = after.filter((chunk) => !before.has(chunk.id));
    expect(changed.map((chunk) => chunk.text)).toEqual([expect.stringContaining('Paragraph five, edited')]);
    expect(after.length).toBe(first.length);
  });

  it('cuts Markdown at headings', async () => {
    const text = `# Guide\n\nIntro ${words(1, 20)}\n\n## Install\n\n${words(2, 25)}\n\n## Use\n\n${words(3, 25)}\n`;
    const document = documentOf(text, { mimeType: 'text/markdown' });
    const chunks = await chunkDocument(document, { chunkSize: 40, chunkOverlap: 0, countTokens: countWords });
    expectExactSpans(document, chunks);
    expect(chunks.map((chunk) => chunk.text.split('\n')[0])).toEqual(['# Guide', '## Install', '## Use']);
  });

  it('assigns each chunk the page it starts on', async () => {
    const pageTexts = ['alpha '.repeat(50).trim(), 'beta '.repeat(50).trim(), 'gamma '.repeat(50).trim()];
    const text = pageTexts.join('\n\n');
    let offset = 0;
    const pages = pageTexts.map((pageText, index) => {
      const page = { number: index + 1, start: offset, end: offset + pageText.length };
      offset += pageText.length + 2;
      return page;
    });
    const document = documentOf(text, { pages });
    const chunks = await chunkDocument(document, { chunkSize: 20, chunkOverlap: 0, countTokens: countWords });
    expectExactSpans(document, chunks);
    for (const chunk of chunks) {
      const expected = chunk.text.startsWith('alpha') ? 1 : chunk.text.startsWith('beta') ? 2 : 3;
      expect(chunk.page).toBe(expected);
    }
  });

  it('chunks a 2 MB single line and 10 MB of text quickly without a token counter', async () => {
    const line = documentOf('x'.repeat(2 * 1024 * 1024));
    let started = performance.now();
    const lineChunks = await chunkDocument(line, { chunkSize: 512, chunkOverlap: 64 });
    const lineMs = performance.now() - started;
    expectExactSpans(line, lineChunks);
    expect(lineChunks.at(-1)?.end).toBe(line.text.length);

    const big = documentOf(Array.from({ length: 150_000 }, (_, index) => `Sentence ${index} about ${words(index % 97, 8)}.`).join('\n'));
    expect(big.text.length).toBeGreaterThan(10_000_000);
    started = performance.now();
    const bigChunks = await chunkDocument(big, { chunkSize: 256, chunkOverlap: 32 });
    const bigMs = performance.now() - started;
    expectExactSpans(big, bigChunks);
    console.info(`2 MB single line: ${lineChunks.length} chunks in ${lineMs.toFixed(0)} ms; ${(big.text.length / 1e6).toFixed(1)} MB: ${bigChunks.length} chunks in ${bigMs.toFixed(0)} ms`);
    expect(bigMs).toBeLessThan(5_000);
  });

  it('rejects an overlap not below the chunk size with CONFIG_INVALID', async () => {
    await expect(chunkDocument(documentOf('text'), { chunkSize: 10, chunkOverlap: 10 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
