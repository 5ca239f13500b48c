import path from 'node:path';
import { TrellisError } from '../../../core/errors.js';
import { SUPPORTED_EXTENSIONS } from '../../../rag/loaders/load-file.js';

/** What an upload's extension promises about its bytes. */
export type UploadKind = 'pdf' | 'zip' | 'text';

/** Bytes of each upload inspected before any is accepted: enough for magic numbers and to tell text from binary. */
export const SNIFF_BYTES = 8192;

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * The kind of file an upload's name says it is. Throws UPLOAD_TYPE_UNSUPPORTED for an extension no loader reads,
 * before a byte of it is stored.
 */
export function uploadKindOf(name: string): UploadKind {
  const extension = path.extname(name).toLowerCase();
  if (!SUPPORTED_EXTENSIONS.includes(extension)) {
    throw refused(name, `the type ${extension || '(no extension)'} is not supported`);
  }
  if (extension === '.pdf') return 'pdf';
  if (extension === '.docx') return 'zip';
  return 'text';
}

/**
 * Checks an upload's first bytes (all of them when `complete`) against the kind its name promises: a PDF starts
 * with `%PDF-`, a DOCX is a zip, and text is UTF-8 without NUL bytes. Refusing here, with the file named, beats a
 * job that fails later or an index full of mojibake. An empty file passes: ingestion reports it as DOCUMENT_EMPTY.
 */
export function assertContentMatches(name: string, kind: UploadKind, head: Buffer, complete: boolean): void {
  if (head.length === 0) return;
  if (kind === 'pdf') {
    if (!startsWith(head, PDF_MAGIC)) throw refused(name, 'it is named .pdf but does not start with %PDF-');
    return;
  }
  if (kind === 'zip') {
    if (!startsWith(head, ZIP_MAGIC)) throw refused(name, 'it is named .docx but is not a zip archive');
    return;
  }
  if (startsWith(head, PDF_MAGIC)) throw refused(name, 'it is a PDF; name it .pdf');
  if (startsWith(head, ZIP_MAGIC)) throw refused(name, 'it is a zip archive, not text');
  if (head.includes(0)) throw refused(name, 'it holds NUL bytes, so it is binary data, not text');
  try {
    // Streaming mode tolerates a character cut in two at the end of the inspected prefix.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
  } catch {
    throw refused(name, 'it is not UTF-8 text');
  }
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

function refused(name: string, reason: string): TrellisError {
  return new TrellisError('UPLOAD_TYPE_UNSUPPORTED', `${name} was refused: ${reason}`, { details: { file: name } });
}
