import type { Tokenizer } from '@huggingface/tokenizers';

/** The `normalizer` section of a `tokenizer.json` of type BertNormalizer (BERT, MiniLM, BGE, E5, GTE, …). */
interface BertNormalizerConfig {
  readonly clean_text?: boolean;
  readonly handle_chinese_chars?: boolean;
  readonly lowercase?: boolean;
  readonly strip_accents?: boolean | null;
}

// Characters BertNormalizer's clean_text drops: control, format, private-use and surrogate code points, and U+FFFD
// (tab, newline and carriage return are whitespace, not control, there: they become spaces like other whitespace).
const TAB_OR_NEWLINE = /[\t\n\r]/g;
const DROPPED = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\uFFFD]/gu;
// Without the u flag, as the library tests each character: a surrogate pair is never whitespace.
const WHITESPACE = /\s/g;
// is_chinese_char's ranges that a single UTF-16 unit can fall in (the library tests units, so its astral ranges
// never match): CJK Unified Ideographs, Extension A, and the Compatibility Ideographs.
const CJK_UNIT = /[\u4E00-\u9FFF\u3400-\u4DBF\uF900-\uFAFF]/g;
const NONSPACING_MARK = /\p{Mn}/gu;

/**
 * BertNormalizer with the same output as @huggingface/tokenizers' own, in whole-string regular expressions rather
 * than a regular expression per character: about 10× faster, which matters because normalising is half of what
 * tokenising costs in JavaScript, and with a small embedder tokenising is most of what embedding costs.
 * test/unit/core/models/fast-bert-normalizer.test.ts checks it against the library's on real corpora and on random
 * text from every Unicode plane, lone surrogates included.
 */
export function createFastBertNormalizer(config: BertNormalizerConfig): (text: string) => string {
  const stripAccents = config.lowercase ? config.strip_accents !== false : config.strip_accents === true;
  return (input) => {
    let text = input;
    if (config.clean_text) text = text.replace(TAB_OR_NEWLINE, ' ').replace(DROPPED, '').replace(WHITESPACE, ' ');
    if (config.handle_chinese_chars) text = text.replace(CJK_UNIT, ' $& ');
    if (config.lowercase) text = text.toLowerCase();
    if (stripAccents) text = text.normalize('NFD').replace(NONSPACING_MARK, '');
    return text;
  };
}

/**
 * Swaps a tokenizer's BertNormalizer for {@link createFastBertNormalizer}'s; any other normaliser is left as it
 * is. The tokenizer only ever calls its normaliser as a function of the text, which is all the swap provides.
 */
export function useFastBertNormalizer(tokenizer: Tokenizer, tokenizerJson: object): void {
  const config = (tokenizerJson as { normalizer?: { type?: string } & BertNormalizerConfig }).normalizer;
  // The library builds its normaliser from this same section, so its type says what the tokenizer holds.
  if (tokenizer.normalizer === null || config?.type !== 'BertNormalizer') return;
  tokenizer.normalizer = createFastBertNormalizer(config) as unknown as Tokenizer['normalizer'];
}
