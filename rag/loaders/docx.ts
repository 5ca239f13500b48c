import mammoth from 'mammoth';
import { TrellisError } from '../../core/errors.js';
import { sha256Hex } from './content-hash.js';
import { assertHasText } from './decode-text.js';
import type { LoadedDocument, LoaderInput } from './types.js';

/**
 * Loads a Word (.docx) document's text, one paragraph per blank-line-separated block. Throws DOCUMENT_UNREADABLE
 * when the file is not a valid DOCX (not a zip, or a zip without word/document.xml) and DOCUMENT_EMPTY when it
 * has no text.
 */
export async function loadDocx({ bytes, relativePath }: LoaderInput): Promise<LoadedDocument> {
  let raw: string;
  try {
    raw = (await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).value;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrellisError('DOCUMENT_UNREADABLE', `${relativePath} is not a readable DOCX file: ${reason}`, {
      cause: error,
      details: { path: relativePath },
    });
  }
  // mammoth ends every paragraph with "\n\n"; collapse runs of empty paragraphs to one blank line.
  const text = raw.replace(/\n{3,}/g, '\n\n').trim();
  assertHasText(text, relativePath);
  return {
    id: relativePath,
    source: relativePath,
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    text,
    metadata: {},
    contentHash: sha256Hex(bytes),
  };
}
