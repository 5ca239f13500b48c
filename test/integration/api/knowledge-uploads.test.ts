import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { buildPdf } from '../../helpers/minimal-pdf.js';
import { createKnowledgeBase, followJob, upload, type UploadFile } from './knowledge-client.js';

const FILE_LIMIT = 16 * 1024;
const GOOD: UploadFile = { name: 'good.md', content: '# Good\n\nThe harbour ferry leaves at dawn.\n' };

describe('uploads that must be refused or reported', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ overrides: { limits: { uploadBytes: FILE_LIMIT } } });
    expect((await createKnowledgeBase(server, 'inbox')).status).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });
  // Whatever happened, no staged upload outlives its request or its job.
  afterEach(() => {
    expect(readdirSync(path.join(server.runtime.dataDir, 'uploads'))).toEqual([]);
  });

  const documentCount = async () => (await (await server.request('/knowledge-bases/inbox')).json()).documents as number;
  const refusal = async (response: Response) => ({ status: response.status, error: (await response.json()).error });

  it('refuses a file over the per-file limit with 413 DOCUMENT_TOO_LARGE and ingests nothing of the request', async () => {
    const { status, error } = await refusal(await upload(server, 'inbox', [GOOD, { name: 'big.txt', content: 'a'.repeat(FILE_LIMIT + 1) }]));
    expect(status).toBe(413);
    expect(error).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', details: { file: 'big.txt', maxFileBytes: FILE_LIMIT }, hint: expect.any(String) });
    expect(await documentCount()).toBe(0);
  });

  it('refuses a request whose files together exceed the total limit with 413 UPLOAD_TOO_LARGE', async () => {
    const files = Array.from({ length: 5 }, (_, index) => ({ name: `part-${index}.txt`, content: `chapter ${index} `.repeat(1400) }));
    const { status, error } = await refusal(await upload(server, 'inbox', files));
    expect(status).toBe(413);
    expect(error).toMatchObject({ code: 'UPLOAD_TOO_LARGE', details: { maxTotalBytes: FILE_LIMIT * 4 } });
    expect(await documentCount()).toBe(0);
  });

  it('refuses more than 100 files in one request with 413 UPLOAD_TOO_LARGE', async () => {
    const files = Array.from({ length: 101 }, (_, index) => ({ name: `note-${index}.txt`, content: `note ${index}` }));
    const { status, error } = await refusal(await upload(server, 'inbox', files));
    expect(status).toBe(413);
    expect(error).toMatchObject({ code: 'UPLOAD_TOO_LARGE', details: { maxFiles: 100 } });
  });

  it.each([
    ['binary junk claiming .txt', { name: 'junk.txt', content: Uint8Array.from([0x00, 0x01, 0xff, 0xfe, 0x00, 0x7f, 0x03]) }],
    ['text claiming .pdf', { name: 'fake.pdf', content: 'This is not a PDF at all.' }],
    ['text claiming .docx', { name: 'fake.docx', content: 'Not a zip archive.' }],
    ['a PDF claiming .txt', { name: 'renamed.txt', content: buildPdf([['hello']]) }],
    ['Latin-1 bytes claiming .md', { name: 'latin.md', content: Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]) }],
    ['an extension no loader reads', { name: 'setup.exe', content: 'MZ' }],
  ])('refuses %s with 415 UPLOAD_TYPE_UNSUPPORTED naming the file, ingesting nothing', async (_label, file) => {
    const { status, error } = await refusal(await upload(server, 'inbox', [GOOD, file]));
    expect(status).toBe(415);
    expect(error).toMatchObject({ code: 'UPLOAD_TYPE_UNSUPPORTED', message: expect.stringContaining(file.name), details: { file: file.name } });
    expect(await documentCount()).toBe(0);
  });

  it('accepts UTF-8 text whose multi-byte characters straddle the inspected prefix', async () => {
    const text = `${'x'.repeat(8191)}${'ü'.repeat(2000)}\n\nThe lighthouse keeper logs every passing ship.\n`;
    const response = await upload(server, 'inbox', [{ name: 'umlauts.txt', content: text }]);
    expect(response.status).toBe(202);
    const { job } = await followJob(server, 'inbox', (await response.json()).id);
    expect(job.files).toEqual([{ name: 'umlauts.txt', bytes: Buffer.byteLength(text), status: 'added', documents: 1, error: null }]);
    await server.request('/knowledge-bases/inbox/documents/umlauts.txt', { method: 'DELETE' });
  });

  it('reports files that pass the checks but cannot be read per file, with their codes, and ingests the rest', async () => {
    const response = await upload(server, 'inbox', [
      GOOD,
      { name: 'broken.pdf', content: '%PDF-1.4\nthis is not really a pdf\n%%EOF\n' },
      { name: 'empty.txt', content: '' },
    ]);
    expect(response.status).toBe(202);
    const { job } = await followJob(server, 'inbox', (await response.json()).id);
    expect(job.status).toBe('completed');
    expect(Object.fromEntries(job.files.map((file) => [file.name, [file.status, file.error?.code ?? null]]))).toEqual({
      'good.md': ['added', null],
      'broken.pdf': ['failed', 'DOCUMENT_UNREADABLE'],
      'empty.txt': ['failed', 'DOCUMENT_EMPTY'],
    });
    expect(job.counts).toMatchObject({ added: 1, failed: 2 });
    expect(job.files_done).toBe(3);
    expect(await documentCount()).toBe(1);
  });

  it('answers 400 API_BODY_INVALID for a multipart body without a file part, or with no part at all', async () => {
    const fieldsOnly = new FormData();
    fieldsOnly.append('comment', 'forgot the file');
    for (const body of [fieldsOnly, new FormData()]) {
      const { status, error } = await refusal(await server.request('/knowledge-bases/inbox/documents', { method: 'POST', body }));
      expect(status).toBe(400);
      expect(error.code).toBe('API_BODY_INVALID');
    }
  });

  it('answers 415 API_MEDIA_TYPE_UNSUPPORTED for a body that is not multipart', async () => {
    const { status, error } = await refusal(
      await server.request('/knowledge-bases/inbox/documents', { method: 'POST', json: { documents: [{ source: 'a.md', text: 'x' }] } }),
    );
    expect(status).toBe(415);
    expect(error.code).toBe('API_MEDIA_TYPE_UNSUPPORTED');
  });

  it.each([
    ['climbs out of the folder', '../escape.md'],
    ['is hidden', 'notes/.secret.md'],
    ['holds a control character', 'bad\u0007name.md'],
    ['is too long', `${'n'.repeat(210)}.md`],
  ])('answers 400 API_BODY_INVALID for a file name that %s', async (_label, name) => {
    const { status, error } = await refusal(await upload(server, 'inbox', [{ name, content: '# Title\n\ntext\n' }]));
    expect(status).toBe(400);
    expect(error.code).toBe('API_BODY_INVALID');
  });

  it.each([
    ['two files of the same name', [GOOD, GOOD], 'good.md'],
    ['a file and a folder of the same name', [GOOD, { name: 'good.md/inner.md', content: '# Inner\n\ntext\n' }], 'good.md/inner.md'],
  ])('answers 400 API_BODY_INVALID for %s in one request', async (_label, files, named) => {
    const { status, error } = await refusal(await upload(server, 'inbox', files));
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 'API_BODY_INVALID', message: expect.stringContaining(named) });
  });

  it('keeps serving after every refusal', async () => {
    const response = await server.request('/knowledge-bases/inbox/search', { method: 'POST', json: { query: 'harbour ferry' } });
    expect(response.status).toBe(200);
    expect((await response.json()).hits[0].citation.source).toBe('good.md');
  });
});
