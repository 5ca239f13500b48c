// The answer comparison of the official SQuAD v1.1 evaluation script (evaluate-v1.1.py), which NQ-open, HotpotQA
// and most QA papers reuse.

// Python's string.punctuation: ASCII punctuation only, so curly quotes and dashes stay part of words.
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
// Python's \b is Unicode-aware; the look-arounds make "a" inside "éa" a letter of the word, as there.
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/** SQuAD's normalize_answer: lower case, drop punctuation, drop the articles a/an/the, collapse whitespace. */
export function normalizeAnswer(text: string): string {
  return text.toLowerCase().replace(PUNCTUATION, '').replace(ARTICLES, ' ').split(/\s+/u).filter(Boolean).join(' ');
}

function tokens(text: string): string[] {
  const normalized = normalizeAnswer(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/** 1 when the normalized prediction equals the normalized gold answer, else 0. */
export function exactMatch(prediction: string, gold: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(gold) ? 1 : 0;
}

/**
 * Token F1 over the bags of normalized tokens (SQuAD's f1_score). As in the v1.1 script, no shared token gives 0,
 * even when both sides normalize to nothing.
 */
export function tokenF1(prediction: string, gold: string): number {
  const predicted = tokens(prediction);
  const expected = tokens(gold);
  const remaining = new Map<string, number>();
  for (const token of expected) remaining.set(token, (remaining.get(token) ?? 0) + 1);
  let same = 0;
  for (const token of predicted) {
    const left = remaining.get(token) ?? 0;
    if (left > 0) {
      same += 1;
      remaining.set(token, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / predicted.length;
  const recall = same / expected.length;
  return (2 * precision * recall) / (precision + recall);
}

/** SQuAD's metric_max_over_ground_truths: the best score against any of the gold answers. */
export function bestOverAnswers(score: (prediction: string, gold: string) => number, prediction: string, golds: readonly string[]): number {
  return golds.reduce((best, gold) => Math.max(best, score(prediction, gold)), 0);
}

/** True when the normalized gold answer occurs in the normalized prediction as whole tokens. */
export function containsAnswer(prediction: string, gold: string): number {
  const needle = normalizeAnswer(gold);
  if (needle === '') return 0;
  return ` ${normalizeAnswer(prediction)} `.includes(` ${needle} `) ? 1 : 0;
}
