import { ENGLISH_STOP_WORDS } from './english-stop-words.js';

/** Options for {@link toFts5Query}. */
export interface Fts5QueryOptions {
  /** Words dropped from the query; defaults to {@link ENGLISH_STOP_WORDS}. */
  readonly stopWords?: ReadonlySet<string>;
  /** Most distinct terms kept, in order of first appearance; bounds the cost of a pasted 10 kB query. */
  readonly maxTerms?: number;
}

const DEFAULT_MAX_TERMS = 64;
// Letters (with their combining marks) and digits, as FTS5's unicode61 tokenizer sees word characters. Every
// other character (quotes, `*`, `:`, `(`, `-`, `^`, emoji) separates terms, so none can reach FTS5's parser.
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** The query's distinct lower-cased terms, stop words removed (unless that would leave nothing). */
export function queryTerms(text: string, options: Fts5QueryOptions = {}): string[] {
  const stopWords = options.stopWords ?? ENGLISH_STOP_WORDS;
  const maxTerms = options.maxTerms ?? DEFAULT_MAX_TERMS;
  const words = [...new Set((text.normalize('NFKC').toLowerCase().match(WORD) ?? []))];
  const content = words.filter((word) => !stopWords.has(word));
  // A query made only of stop words ("to be or not to be") still deserves an answer.
  return (content.length > 0 ? content : words).slice(0, maxTerms);
}

/**
 * Turns free text into an FTS5 MATCH expression: an OR of quoted terms restricted to `column`. Every term is a
 * run of word characters wrapped in double quotes, so user input is never parsed as FTS5 syntax (`NEAR`, `AND`,
 * `*`, `column:`, `-`); returns undefined when the text has no searchable term.
 */
export function toFts5Query(text: string, column: string, options: Fts5QueryOptions = {}): string | undefined {
  return toFts5Match(queryTerms(text, options), column);
}

/** The MATCH expression for terms already produced by {@link queryTerms}; undefined when there are none. */
export function toFts5Match(terms: readonly string[], column: string): string | undefined {
  if (terms.length === 0) return undefined;
  return `${column} : (${terms.map((term) => `"${term}"`).join(' OR ')})`;
}
