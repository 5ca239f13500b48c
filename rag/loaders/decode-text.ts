import { TrellisError } from '../../core/errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes UTF-8 text (dropping a BOM), refusing bytes that are not text: a binary file behind a text extension must
 * fail with DOCUMENT_UNREADABLE rather than fill the index with mojibake.
 */
export function decodeUtf8Text(bytes: Uint8Array, relativePath: string): string {
  // NUL never occurs in real text files but is common in every binary format; checking a prefix is enough.
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) throw notText(relativePath, 'it contains NUL bytes');
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw notText(relativePath, 'it is not valid UTF-8', error);
  }
}

function notText(relativePath: string, reason: string, cause?: unknown): TrellisError {
  return new TrellisError('DOCUMENT_UNREADABLE', `${relativePath} is not a text file: ${reason}`, {
    hint: 'Convert the file to UTF-8 text, or remove it if it is binary data with a text extension.',
    cause,
    details: { path: relativePath },
  });
}

/** Throws DOCUMENT_EMPTY when extracted text holds nothing but whitespace. */
export function assertHasText(text: string, relativePath: string): void {
  if (text.trim() === '') {
    throw new TrellisError('DOCUMENT_EMPTY', `${relativePath} has no text`, { details: { path: relativePath } });
  }
}
