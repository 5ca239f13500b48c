import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { TrellisError } from '../../../core/errors.js';
import { assertContentMatches, SNIFF_BYTES, uploadKindOf, type UploadKind } from './upload-type.js';

export interface UploadLimits {
  /** Largest single file. */
  readonly fileBytes: number;
  /** Largest sum of all files of one request. */
  readonly totalBytes: number;
  /** Most files in one request. */
  readonly files: number;
  /** Most other fields in one request (they are ignored, but each costs parsing). */
  readonly fields: number;
}

export interface ReceivedFile {
  readonly name: string;
  readonly bytes: number;
}

/** Longest upload path: it becomes a document id, which must fit in a URL path segment of the documents routes. */
const MAX_NAME_LENGTH = 200;

/**
 * Streams every file part of a multipart request into `dir`, each checked as it arrives: its name, its type (by
 * extension, then by its first bytes), its size and the request's total. Nothing is held in memory beyond the
 * first few KiB of the file being received. Throws on the first refusal (the caller removes `dir`):
 * API_BODY_INVALID, UPLOAD_TYPE_UNSUPPORTED, DOCUMENT_TOO_LARGE or UPLOAD_TOO_LARGE. Non-file fields are ignored.
 */
export async function receiveUploads(request: FastifyRequest, dir: string, limits: UploadLimits): Promise<ReceivedFile[]> {
  const received: ReceivedFile[] = [];
  const taken = new UploadNames();
  const total = { bytes: 0 };
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      const name = uploadPath(part.filename);
      taken.claim(name);
      const kind = uploadKindOf(name);
      const target = path.join(dir, name);
      await mkdir(path.dirname(target), { recursive: true });
      const bytes = await saveFile(part, kind, name, target, total, limits);
      received.push({ name, bytes });
    }
  } catch (error) {
    throw asUploadError(error, limits);
  }
  if (received.length === 0) {
    throw new TrellisError('API_BODY_INVALID', 'the request holds no file part', {
      hint: 'Send the documents as multipart/form-data file parts, e.g. `curl -F file=@guide.md -F file=@notes.txt`.',
    });
  }
  return received;
}

async function saveFile(
  part: MultipartFile,
  kind: UploadKind,
  name: string,
  target: string,
  total: { bytes: number },
  limits: UploadLimits,
): Promise<number> {
  let bytes = 0;
  async function* checked(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let head: Buffer[] = [];
    let headBytes = 0;
    for await (const chunk of source) {
      bytes += chunk.length;
      total.bytes += chunk.length;
      if (total.bytes > limits.totalBytes) {
        throw new TrellisError('UPLOAD_TOO_LARGE', `the files of this upload exceed ${limits.totalBytes} bytes in all`, {
          details: { maxTotalBytes: limits.totalBytes },
        });
      }
      if (headBytes >= SNIFF_BYTES) {
        yield chunk;
        continue;
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes >= SNIFF_BYTES) {
        assertContentMatches(name, kind, Buffer.concat(head), false);
        yield* head;
        head = [];
      }
    }
    if (headBytes < SNIFF_BYTES) {
      assertContentMatches(name, kind, Buffer.concat(head), true);
      yield* head;
    }
  }
  // `wx`: a name can only be written once per upload, so nothing already staged is ever overwritten.
  await pipeline(part.file, checked, createWriteStream(target, { flags: 'wx' }));
  // The parser stops passing bytes at the limit and marks the stream truncated; the file is refused whole.
  if (part.file.truncated) {
    throw new TrellisError('DOCUMENT_TOO_LARGE', `${name} is larger than the limit of ${limits.fileBytes} bytes per file`, {
      details: { file: name, maxFileBytes: limits.fileBytes },
    });
  }
  return bytes;
}

/**
 * The path a file part names, made safe as a path inside the staging folder and as a document id: separators
 * normalised to `/`, and no empty, `.`, `..` or hidden segments (ingestion skips hidden files, and `..` would
 * climb out of the folder).
 */
function uploadPath(filename: string): string {
  const segments = filename.replaceAll('\\', '/').split('/').filter((segment) => segment !== '');
  const unusable = (reason: string) =>
    new TrellisError('API_BODY_INVALID', `the file name ${JSON.stringify(filename)} is not usable: ${reason}`, {
      hint: 'Name each file part with a relative path such as guide.md or manuals/setup.pdf.',
    });
  if (segments.length === 0) throw unusable('it is empty');
  if (segments.some((segment) => segment.startsWith('.'))) throw unusable('a part of it starts with a dot');
  // Control characters have no place in a name and would corrupt logs and headers that echo it.
  if (/\p{Cc}/u.test(filename)) throw unusable('it holds control characters');
  const name = segments.join('/');
  if (name.length > MAX_NAME_LENGTH) throw unusable(`it is longer than ${MAX_NAME_LENGTH} characters`);
  return name;
}

/** The names of one upload so far: each file needs its own path, and no path can be both a file and a folder. */
class UploadNames {
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();

  claim(name: string): void {
    const segments = name.split('/');
    const parents = segments.slice(0, -1).map((_, index) => segments.slice(0, index + 1).join('/'));
    if (this.files.has(name) || this.folders.has(name) || parents.some((parent) => this.files.has(parent))) {
      throw new TrellisError('API_BODY_INVALID', `the upload holds two files, or a file and a folder, named ${name}`);
    }
    this.files.add(name);
    for (const parent of parents) this.folders.add(parent);
  }
}

/**
 * The multipart parser's own limit and format errors, in the catalogue's terms. A file system failure (a full
 * disk) is the server's, not the request's, and stays an internal error.
 */
function asUploadError(error: unknown, limits: UploadLimits): unknown {
  if (TrellisError.isInstance(error)) return error;
  if (typeof error === 'object' && error !== null && 'syscall' in error) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'FST_FILES_LIMIT') {
    return new TrellisError('UPLOAD_TOO_LARGE', `an upload may hold at most ${limits.files} files`, {
      details: { maxFiles: limits.files },
      cause: error,
    });
  }
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return new TrellisError('UPLOAD_TOO_LARGE', `an upload may hold at most ${limits.files} files and ${limits.fields} other fields`, {
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new TrellisError('API_BODY_INVALID', `the multipart body could not be read: ${reason}`, { cause: error });
}
