import { parseHTML } from 'linkedom';
import { htmlNodeToText } from '../../rag/loaders/html-to-text.js';

export interface BodyText {
  readonly text: string;
  readonly title?: string;
  /** Set when the body is not text (an image, a PDF, ...) and so was not returned. */
  readonly notice?: string;
}

const TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/javascript', 'application/x-ndjson']);

/**
 * The readable text of a response body: HTML reduced to its text with paragraph breaks (rag's HTML-to-text, which
 * drops scripts and styles), other text types decoded with their charset, binary types refused with a notice.
 */
export function bodyToText(bytes: Buffer, contentType: string | undefined): BodyText {
  const mimeType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  if (mimeType === 'text/html' || mimeType === 'application/xhtml+xml') {
    const { document } = parseHTML(decode(bytes, charset));
    const title = document.title?.trim() || undefined;
    const text = htmlNodeToText(document.body ?? document.documentElement);
    return title ? { text, title } : { text };
  }
  const textual =
    mimeType.startsWith('text/') || TEXT_TYPES.has(mimeType) || /\+(json|xml)$/.test(mimeType) ||
    (mimeType === '' && !bytes.subarray(0, 1024).includes(0));
  if (textual) return { text: decode(bytes, charset) };
  return { text: '', notice: `the body is ${mimeType || 'binary'} (${bytes.length} bytes), not text; it is not shown` };
}

function decode(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the best guess for the web, and replacement characters mark what it missed.
    return new TextDecoder('utf-8').decode(bytes);
  }
}
