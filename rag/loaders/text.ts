import { sha256Hex } from './content-hash.js';
import { assertHasText, decodeUtf8Text } from './decode-text.js';
import type { LoadedDocument, LoaderInput } from './types.js';

/** Loads a plain UTF-8 text file as is. Throws DOCUMENT_UNREADABLE for binary data, DOCUMENT_EMPTY for blank files. */
export function loadText({ bytes, relativePath }: LoaderInput): LoadedDocument {
  const text = decodeUtf8Text(bytes, relativePath);
  assertHasText(text, relativePath);
  return { id: relativePath, source: relativePath, mimeType: 'text/plain', text, metadata: {}, contentHash: sha256Hex(bytes) };
}
