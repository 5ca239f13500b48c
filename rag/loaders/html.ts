import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { sha256Hex } from './content-hash.js';
import { assertHasText, decodeUtf8Text } from './decode-text.js';
import { htmlNodeToText } from './html-to-text.js';
import type { LoadedDocument, LoaderInput } from './types.js';

// Chrome that Readability normally drops; removed by hand when it finds no article and the body is used instead.
const BOILERPLATE = 'script, style, noscript, template, nav, header, footer, aside, form, [role="navigation"]';

/**
 * Loads an HTML page's main content (Readability's article, without navigation, headers and footers). When
 * Readability finds no article, falls back to the body's text with navigation and page chrome removed.
 */
export function loadHtml({ bytes, relativePath }: LoaderInput): LoadedDocument {
  const html = decodeUtf8Text(bytes, relativePath);
  const pageTitle = parseHTML(html).document.title?.trim() || undefined;
  // Readability mutates the DOM it reads, so it gets its own parse; the fallback parses again.
  const article = new Readability(parseHTML(html).document as unknown as Document).parse();
  let text = article?.content ? htmlNodeToText(parseHTML(`<body>${article.content}</body>`).document.body) : '';
  let extractedBy = 'readability';
  if (text.trim() === '') {
    const { document } = parseHTML(html);
    for (const element of Array.from(document.querySelectorAll(BOILERPLATE))) element.remove();
    text = document.body ? htmlNodeToText(document.body) : '';
    extractedBy = 'body';
  }
  assertHasText(text, relativePath);
  const title = article?.title?.trim() || pageTitle;
  return {
    id: relativePath,
    source: relativePath,
    ...(title ? { title } : {}),
    mimeType: 'text/html',
    text,
    metadata: { extractedBy },
    contentHash: sha256Hex(bytes),
  };
}
