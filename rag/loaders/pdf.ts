import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { TrellisError } from '../../core/errors.js';
import { sha256Hex } from './content-hash.js';
import { assertHasText } from './decode-text.js';
import type { LoadedDocument, LoaderInput, PageSpan } from './types.js';

// Pages are joined by a blank line so the splitter can cut at page boundaries like at paragraphs.
const PAGE_SEPARATOR = '\n\n';

/**
 * Loads a PDF's text layer page by page, keeping where each page lies in the text (`pages`) so chunks can cite
 * their page. Throws DOCUMENT_UNREADABLE for damaged or password-protected files and DOCUMENT_EMPTY for scans
 * without a text layer.
 */
export async function loadPdf({ bytes, relativePath }: LoaderInput): Promise<LoadedDocument> {
  const contentHash = sha256Hex(bytes);
  // pdf.js transfers (detaches) the buffer it is given, so it gets a copy.
  const loadingTask = getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  try {
    const pdf = await loadingTask.promise.catch((error: unknown) => {
      throw unreadablePdf(relativePath, error);
    });
    const pageTexts: string[] = [];
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const page = await pdf.getPage(number);
      const content = await page.getTextContent();
      let pageText = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        pageText += item.str + (item.hasEOL ? '\n' : '');
      }
      pageTexts.push(pageText.replace(/[ \t]+\n/g, '\n').trim());
      page.cleanup();
    }
    const { text, pages } = joinPages(pageTexts);
    assertHasText(text, relativePath);
    const info = (await pdf.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() !== '' ? info.Title.trim() : undefined;
    return {
      id: relativePath,
      source: relativePath,
      ...(title ? { title } : {}),
      mimeType: 'application/pdf',
      text,
      pages,
      metadata: { pageCount: pdf.numPages },
      contentHash,
    };
  } catch (error) {
    throw TrellisError.isInstance(error) ? error : unreadablePdf(relativePath, error);
  } finally {
    await loadingTask.destroy();
  }
}

function joinPages(pageTexts: readonly string[]): { text: string; pages: PageSpan[] } {
  const pages: PageSpan[] = [];
  let text = '';
  pageTexts.forEach((pageText, index) => {
    if (index > 0) text += PAGE_SEPARATOR;
    pages.push({ number: index + 1, start: text.length, end: text.length + pageText.length });
    text += pageText;
  });
  return { text, pages };
}

function unreadablePdf(relativePath: string, error: unknown): TrellisError {
  const name = error instanceof Error ? error.name : '';
  const reason = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') {
    return new TrellisError('DOCUMENT_UNREADABLE', `${relativePath} is a password-protected PDF`, {
      hint: 'Remove the password (e.g. `qpdf --decrypt in.pdf out.pdf`) and ingest the file again.',
      cause: error,
      details: { path: relativePath, reason: 'encrypted' },
    });
  }
  return new TrellisError('DOCUMENT_UNREADABLE', `${relativePath} is not a readable PDF: ${reason}`, {
    cause: error,
    details: { path: relativePath, reason: 'damaged' },
  });
}
