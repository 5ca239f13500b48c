import { createHash } from 'node:crypto';
import { MarkdownTextSplitter, RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { TrellisError } from '../core/errors.js';
import type { LoadedDocument } from './loaders/types.js';

/** One retrievable passage of a document, with the exact span it came from (for citations). */
export interface Chunk {
  /**
   * Stable id: a hash of the document id, the chunk's content hash and which occurrence of that content in the
   * document it is. Unchanged passages keep their id when an edit elsewhere shifts their offsets, so ingestion
   * re-embeds only what changed; `start`/`end` carry the current span.
   */
  id: string;
  documentId: string;
  /** 0-based position among the document's chunks. */
  index: number;
  text: string;
  /** Character span in `document.text`: `document.text.slice(start, end) === text`. */
  start: number;
  end: number;
  /** Page on which the chunk starts, for paginated documents. */
  page?: number;
  /** sha256 (hex) of `text`. */
  contentHash: string;
}

export interface ChunkOptions {
  /** Largest chunk, in tokens of `countTokens` (or estimated tokens when absent). */
  chunkSize: number;
  /** Tokens repeated from the end of one chunk at the start of the next. Must be below chunkSize. */
  chunkOverlap: number;
  /**
   * The embedder's own token count of a text, without special tokens. It must count at least one token per
   * whitespace-separated word (true of WordPiece, BPE and SentencePiece); long pieces are bounded by that instead
   * of being tokenized, which keeps chunking linear in the text length. Results are memoized per piece.
   */
  countTokens?: (text: string) => number;
}

/**
 * Cheap token estimate for English-like text (about four characters per token); O(1) per call. Fractional on
 * purpose: it stays additive, so pieces the splitter sums measure the same as the chunk they form.
 */
export const estimateTokens = (text: string): number => text.length / 4;

/**
 * Splits a document into overlapping chunks with LangChain's recursive splitter (the Markdown variant for
 * Markdown, cutting at headings first), measuring length in tokens, and locates each chunk in the document.
 *
 * @example
 * const chunks = await chunkDocument(document, { chunkSize: 256, chunkOverlap: 32, countTokens: embedder.countTokens });
 */
export async function chunkDocument(document: LoadedDocument, options: ChunkOptions): Promise<Chunk[]> {
  const { chunkSize, chunkOverlap } = options;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || !Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
    throw new TrellisError('CONFIG_INVALID', `chunkSize ${chunkSize} and chunkOverlap ${chunkOverlap} are not valid`, {
      hint: 'Use whole numbers with 0 <= chunkOverlap < chunkSize (e.g. chunkSize 256, chunkOverlap 32).',
      details: { chunkSize, chunkOverlap },
    });
  }
  const lengthFunction = options.countTokens ? boundedTokenCounter(options.countTokens, chunkSize) : estimateTokens;
  const fields = { chunkSize, chunkOverlap, lengthFunction, keepSeparator: true };
  // keepSeparator: every chunk is then a trimmed run of consecutive pieces of the text, so it can be located exactly.
  const splitter = document.mimeType === 'text/markdown' ? new MarkdownTextSplitter(fields) : new RecursiveCharacterTextSplitter(fields);
  const texts = await withoutSplitterWarnings(() => splitter.splitText(document.text));
  return locateChunks(document, texts, lengthFunction, chunkOverlap);
}

/**
 * Wraps a token counter for the splitter, which measures every piece it considers (whole paragraphs, lines,
 * words): pieces whose word count alone reaches chunkSize are only compared against it, so their word count is
 * returned without tokenizing; the rest are memoized.
 */
function boundedTokenCounter(countTokens: (text: string) => number, chunkSize: number): (text: string) => number {
  // The splitter measures each piece once when adding it to a chunk and again when sliding it out for the
  // overlap; words repeat throughout. A cache bounded by the characters it holds serves both.
  const cache = new Map<string, number>();
  const cacheableLength = 2048;
  const maxCachedCharacters = 4_000_000;
  let cachedCharacters = 0;
  return (text) => {
    // Only long pieces can reach chunkSize words; counting them stops as soon as they do.
    if (text.length >= chunkSize) {
      const words = countWordsUpTo(text, chunkSize);
      if (words >= chunkSize) return words;
    }
    if (text.length > cacheableLength) return countTokens(text);
    let count = cache.get(text);
    if (count === undefined) {
      count = countTokens(text);
      if (cachedCharacters + text.length > maxCachedCharacters) {
        cache.clear();
        cachedCharacters = 0;
      }
      cache.set(text, count);
      cachedCharacters += text.length;
    }
    return count;
  };
}

function countWordsUpTo(text: string, limit: number): number {
  const wordPattern = /\S+/g;
  let words = 0;
  while (words < limit && wordPattern.exec(text) !== null) words += 1;
  return words;
}

/**
 * Finds each chunk in the text. Chunks come in order; each ends past the previous one's end (it adds at least one
 * new piece) and repeats at most `chunkOverlap` tokens of it. The first match from where such a chunk could start
 * is almost always right; in repetitive text it may be an earlier look-alike, recognised by repeating more than
 * the overlap, and the search then starts at the earliest start that repeats no more than the overlap (found by
 * bisection, since the repeated length shrinks as the start moves right).
 */
function locateChunks(
  document: LoadedDocument,
  texts: readonly string[],
  lengthFunction: (text: string) => number,
  chunkOverlap: number,
): Chunk[] {
  const chunks: Chunk[] = [];
  const occurrences = new Map<string, number>();
  const repeats = (start: number, previousEnd: number) =>
    start < previousEnd && lengthFunction(document.text.slice(start, previousEnd).trim()) > chunkOverlap;
  let previousStart = -1;
  let previousEnd = 0;
  for (const text of texts) {
    const earliest = Math.max(previousStart + 1, previousEnd - text.length + 1);
    let start = document.text.indexOf(text, earliest);
    if (start >= 0 && repeats(start, previousEnd)) {
      let low = start;
      let high = previousEnd;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (repeats(middle, previousEnd)) low = middle + 1;
        else high = middle;
      }
      const later = document.text.indexOf(text, low);
      if (later >= 0) start = later;
    }
    if (start < 0) start = document.text.indexOf(text, previousStart + 1);
    if (start < 0) {
      throw new TrellisError('INTERNAL', `chunk ${chunks.length} of ${document.id} cannot be located in its text`, {
        details: { documentId: document.id, index: chunks.length },
      });
    }
    const end = start + text.length;
    const contentHash = sha256(text);
    const occurrence = occurrences.get(contentHash) ?? 0;
    occurrences.set(contentHash, occurrence + 1);
    const page = pageAt(document, start);
    chunks.push({
      id: sha256(`${document.id}\u0000${contentHash}\u0000${occurrence}`).slice(0, 32),
      documentId: document.id,
      index: chunks.length,
      text,
      start,
      end,
      ...(page === undefined ? {} : { page }),
      contentHash,
    });
    previousStart = start;
    previousEnd = end;
  }
  return chunks;
}

function pageAt({ pages }: LoadedDocument, offset: number): number | undefined {
  if (!pages || pages.length === 0) return undefined;
  // Binary search for the last page starting at or before the offset (separators between pages belong to the
  // page before them).
  let low = 0;
  let high = pages.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((pages[middle] as { start: number }).start <= offset) low = middle;
    else high = middle - 1;
  }
  return pages[low]?.number;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

let silencedCalls = 0;
let originalWarn: typeof console.warn = console.warn;

/**
 * LangChain's splitter console.warns for every piece longer than chunkSize that it cannot split further (a long
 * URL, a word longer than the chunk); those chunks are kept as they are, and the warnings only flood the logs.
 * Counted so that overlapping calls restore the original console.warn exactly once.
 */
async function withoutSplitterWarnings<T>(run: () => Promise<T>): Promise<T> {
  if (silencedCalls === 0) {
    originalWarn = console.warn;
    const warn = originalWarn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('Created a chunk of size')) return;
      warn(...args);
    };
  }
  silencedCalls += 1;
  try {
    return await run();
  } finally {
    silencedCalls -= 1;
    if (silencedCalls === 0) console.warn = originalWarn;
  }
}
