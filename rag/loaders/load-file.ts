import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { TrellisError } from '../../core/errors.js';
import { loadMarkdown } from './markdown.js';
import { loadRecords, type RecordFieldOptions } from './records.js';
import { loadText } from './text.js';
import type { LoadedDocument, LoaderInput } from './types.js';

/** The kinds of file Trellis can read, by the loader that reads them. */
export type DocumentKind = 'markdown' | 'text' | 'html' | 'pdf' | 'docx' | 'jsonl' | 'csv';

const KIND_BY_EXTENSION: Readonly<Record<string, DocumentKind>> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.txt': 'text',
  '.text': 'text',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
};

/** File extensions (with dot) that {@link loadFile} reads. */
export const SUPPORTED_EXTENSIONS: readonly string[] = Object.keys(KIND_BY_EXTENSION);

/** 50 MiB: larger files are almost always exports or dumps that should be split before indexing. */
export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

export interface LoadFileOptions {
  /** Folder the document ids are relative to. Default: the file's own folder. */
  root?: string;
  /** Files larger than this fail with DOCUMENT_TOO_LARGE before being read. Default {@link DEFAULT_MAX_FILE_BYTES}. */
  maxFileBytes?: number;
  /** Field mapping for JSONL and CSV records. */
  records?: RecordFieldOptions;
}

/**
 * Reads one file into documents (one, or one per record for JSONL/CSV), choosing the loader by content sniffing
 * (`%PDF-`, zip) and then by extension. Every failure is a TrellisError: DOCUMENT_UNSUPPORTED_TYPE,
 * DOCUMENT_TOO_LARGE, DOCUMENT_EMPTY or DOCUMENT_UNREADABLE.
 *
 * @example
 * const [document] = await loadFile('docs/guide.pdf', { root: 'docs' });
 */
export async function loadFile(filePath: string, options: LoadFileOptions = {}): Promise<LoadedDocument[]> {
  const root = options.root ?? path.dirname(filePath);
  const relativePath = path.relative(root, filePath).split(path.sep).join('/');
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const details = { path: relativePath };

  // Synchronous file system calls, here and in readAtMost: a promise-based call costs a thread-pool round trip and
  // a promise on top of the system call, several times the call itself on a local disk, and a folder of small files
  // is mostly such calls (bench/ingest.ts: about a second of a 5,000-file ingest). A read blocks this thread no
  // longer than the SQLite writes of an ingest batch do.
  let stats: Stats;
  try {
    stats = statSync(filePath);
  } catch (error) {
    throw new TrellisError('DOCUMENT_UNREADABLE', `cannot read ${relativePath}`, { cause: error, details });
  }
  if (!stats.isFile()) throw new TrellisError('DOCUMENT_UNREADABLE', `${relativePath} is not a regular file`, { details });
  if (stats.size > maxFileBytes) {
    throw new TrellisError('DOCUMENT_TOO_LARGE', `${relativePath} has ${stats.size} bytes, over the limit of ${maxFileBytes}`, {
      details: { ...details, bytes: stats.size, maxFileBytes },
    });
  }
  if (stats.size === 0) throw new TrellisError('DOCUMENT_EMPTY', `${relativePath} is 0 bytes long`, { details });

  // One open and one read for the whole file: on folders of small files, each file system call costs more than
  // the bytes it moves, so the magic bytes are taken from the file as read rather than from a read of their own.
  const bytes = readAtMost(filePath, maxFileBytes, relativePath, stats.size);
  const kind = detectKind(filePath, bytes, relativePath);
  const input: LoaderInput = { bytes, relativePath };
  try {
    switch (kind) {
      case 'markdown':
        return [loadMarkdown(input)];
      case 'text':
        return [loadText(input)];
      // pdf.js, mammoth and linkedom take a few hundred milliseconds to import: loaded with the first such file.
      case 'html':
        return [(await import('./html.js')).loadHtml(input)];
      case 'pdf':
        return [await (await import('./pdf.js')).loadPdf(input)];
      case 'docx':
        return [await (await import('./docx.js')).loadDocx(input)];
      case 'jsonl':
      case 'csv':
        return loadRecords(input, kind, options.records);
    }
  } catch (error) {
    if (TrellisError.isInstance(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrellisError('DOCUMENT_UNREADABLE', `cannot load ${relativePath} as ${kind}: ${reason}`, { cause: error, details });
  }
}

/**
 * The loader for a file: magic bytes win over the extension for PDF (a renamed PDF is still a PDF), while a zip
 * is only read as DOCX when named so (xlsx, pptx, epub are zips too).
 */
function detectKind(filePath: string, bytes: Buffer, relativePath: string): DocumentKind {
  const extension = path.extname(filePath).toLowerCase();
  const byExtension = KIND_BY_EXTENSION[extension];
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (byExtension === undefined) {
    throw new TrellisError('DOCUMENT_UNSUPPORTED_TYPE', `${relativePath} has the unsupported type ${extension || '(no extension)'}`, {
      details: { path: relativePath, extension },
    });
  }
  if (byExtension === 'docx' && !isZip) {
    throw new TrellisError('DOCUMENT_UNREADABLE', `${relativePath} is named .docx but is not a zip archive`, {
      details: { path: relativePath },
    });
  }
  return byExtension;
}

/**
 * Reads the file, refusing to go past the limit even if the file grew since it was measured. The first read is
 * sized from `expectedBytes` (the stat) and later ones take 64 KiB: a fixed 1 MiB zero-filled buffer per read
 * cost more than the read itself on folders of small files. Only the bytes read are ever kept, so the buffers
 * need no zero-filling.
 */
function readAtMost(filePath: string, maxFileBytes: number, relativePath: string, expectedBytes: number): Buffer {
  const descriptor = openSync(filePath, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    let next = expectedBytes + 1;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(next, maxFileBytes + 1 - total)));
      next = 1 << 16;
      const bytesRead = readSync(descriptor, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      chunks.push(buffer.subarray(0, bytesRead));
      if (total > maxFileBytes) {
        throw new TrellisError('DOCUMENT_TOO_LARGE', `${relativePath} grew past the limit of ${maxFileBytes} bytes while being read`, {
          details: { path: relativePath, maxFileBytes },
        });
      }
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(descriptor);
  }
}
