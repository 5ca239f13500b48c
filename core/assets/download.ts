import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TrellisError } from '../errors.js';
import { hashInto } from './hash-file.js';

/** How far one file's download has come; sent after every chunk written. */
export interface DownloadProgress {
  /** The file's path inside its asset (or its base name for a bare download). */
  readonly file: string;
  /** Bytes on disk so far, including those kept from an earlier, interrupted download. */
  readonly receivedBytes: number;
  readonly totalBytes: number;
}

export interface DownloadFileOptions {
  readonly url: string;
  /** Final path; bytes stream to `<destination>.part` until they are verified. */
  readonly destination: string;
  /** Expected lower-case hex SHA-256 of the whole file. */
  readonly sha256: string;
  /** Expected size in bytes. */
  readonly bytes: number;
  /** Names the file in progress events and errors; defaults to the destination's base name. */
  readonly file?: string;
  readonly onProgress?: (event: DownloadProgress) => void;
  /** Stops the download; the `.part` file stays so the next call resumes it. */
  readonly signal?: AbortSignal;
  /** Replaces the global fetch (Node's undici). */
  readonly fetch?: typeof globalThis.fetch;
  /** Further attempts after a transient failure (connection reset, HTTP 5xx or 429). Defaults to 4. */
  readonly retries?: number;
  /** Wait before the first retry, doubled before each later one. Defaults to 500 ms. */
  readonly retryDelayMs?: number;
}

// Nothing answers at this address: retrying cannot help, and callers tell the user to pull elsewhere.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

// The connection broke after it was made: the next attempt resumes from what reached the disk.
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE']);

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

class TransientError extends Error {}

/**
 * Downloads one file, resuming a `.part` left by an earlier attempt with an HTTP Range request, hashing while it
 * writes, and renaming it into place only once its size and SHA-256 match. Transient failures are retried with
 * exponential backoff, each retry resuming where the last stopped.
 *
 * @throws TrellisError ASSET_CHECKSUM_MISMATCH (the `.part` is deleted; expected and actual values in details),
 *   ASSET_DOWNLOAD_FAILED (details.reason is `unreachable` when nothing answered at the address). An abort
 *   rethrows the signal's reason.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<void> {
  const retries = options.retries ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 500;
  await mkdir(path.dirname(options.destination), { recursive: true });
  for (let attempt = 0; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      const { hash, size } = await transferToPart(options);
      await moveIntoPlace(options, hash.digest('hex'), size);
      return;
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!isTransient(error) || attempt >= retries) throw toDownloadError(error, options.url);
      await sleep(retryDelayMs * 2 ** attempt, undefined, { signal: options.signal });
    }
  }
}

/** True when a download failed because nothing answered at the address (refused connection, unknown host). */
export function isUnreachableError(error: unknown): boolean {
  return TrellisError.isInstance(error, 'ASSET_DOWNLOAD_FAILED') && error.details.reason === 'unreachable';
}

/** Brings `<destination>.part` as far as the server lets it; returns the hash of everything in it. */
async function transferToPart(options: DownloadFileOptions): Promise<{ hash: Hash; size: number }> {
  const { url, bytes, signal } = options;
  const part = `${options.destination}.part`;
  const file = options.file ?? path.basename(options.destination);
  let offset = await sizeOf(part);
  if (offset > bytes) {
    await rm(part, { force: true });
    offset = 0;
  }
  const hash = createHash('sha256');
  if (offset === bytes) {
    await hashInto(hash, part);
    return { hash, size: offset };
  }

  const fetchFile = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  const response = await fetchFile(url, { headers, signal, redirect: 'follow' });
  if (response.status === 416) {
    // The server has nothing past our offset: the .part may already be whole, and verification decides.
    await response.body?.cancel();
    if (offset > 0) await hashInto(hash, part);
    return { hash, size: offset };
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new HttpStatusError(response.status);
  }
  // A 200 to a Range request is the whole file again, so the kept prefix is dropped rather than duplicated.
  const resumes = offset > 0 && response.status === 206;
  if (resumes && contentRangeStart(response.headers.get('content-range')) !== offset) {
    await response.body.cancel();
    await rm(part, { force: true });
    throw new TransientError(`${url} answered a range other than bytes=${offset}-; restarting from zero`);
  }
  if (resumes) await hashInto(hash, part);
  let size = resumes ? offset : 0;

  const reader = response.body.getReader();
  const handle = await open(part, resumes ? 'a' : 'w');
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > bytes) {
        // A mirror serving a bigger file (an HTML error page, another model) is stopped before it fills the disk.
        await reader.cancel().catch(() => undefined);
        break;
      }
      hash.update(value);
      await handle.write(value);
      options.onProgress?.({ file, receivedBytes: size, totalBytes: bytes });
    }
  } finally {
    await handle.close();
  }
  if (size < bytes) throw new TransientError(`${url} ended after ${size} of ${bytes} bytes`);
  return { hash, size };
}

async function moveIntoPlace(options: DownloadFileOptions, actualSha256: string, actualBytes: number): Promise<void> {
  const part = `${options.destination}.part`;
  const file = options.file ?? path.basename(options.destination);
  if (actualBytes !== options.bytes || actualSha256 !== options.sha256) {
    await rm(part, { force: true });
    const expected = `${options.sha256} (${options.bytes} bytes)`;
    const tooLong = actualBytes > options.bytes;
    const actual = tooLong ? `more than ${options.bytes} bytes` : `${actualSha256} (${actualBytes} bytes)`;
    throw new TrellisError('ASSET_CHECKSUM_MISMATCH', `${file} from ${options.url} is ${actual}; expected ${expected}`, {
      details: {
        file,
        url: options.url,
        expectedSha256: options.sha256,
        actualSha256: tooLong ? null : actualSha256,
        expectedBytes: options.bytes,
        actualBytes,
      },
    });
  }
  // fsync before rename: after a crash the final name must never point at bytes that were not yet on disk.
  const handle = await open(part, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(part, options.destination);
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0;
    throw error;
  }
}

function contentRangeStart(header: string | null): number | undefined {
  const match = header ? /^bytes (\d+)-/.exec(header) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function isTransient(error: unknown): boolean {
  if (TrellisError.isInstance(error)) return false;
  if (error instanceof TransientError) return true;
  if (error instanceof HttpStatusError) return error.status >= 500 || error.status === 429 || error.status === 408;
  const code = errorCode(error);
  // undici reports a body cut short as `TypeError: terminated`, sometimes with no errno code at all.
  if (code === undefined) return error instanceof TypeError;
  return code.startsWith('UND_ERR') || TRANSIENT_CODES.has(code);
}

function toDownloadError(error: unknown, url: string): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  const code = errorCode(error);
  const unreachable = code !== undefined && UNREACHABLE_CODES.has(code);
  return new TrellisError('ASSET_DOWNLOAD_FAILED', `download of ${url} failed: ${describe(error)}`, {
    cause: error,
    details: {
      url,
      reason: unreachable ? 'unreachable' : 'failed',
      ...(code === undefined ? {} : { code }),
      ...(error instanceof HttpStatusError ? { status: error.status } : {}),
    },
  });
}

// undici wraps socket errors as `TypeError: fetch failed` with the errno code on `cause` (or on one of an
// AggregateError's `errors` when several addresses were tried), so the code is searched for down the chain.
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = errorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return errorCode(cause, depth + 1);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
