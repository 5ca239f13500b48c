import { describe, expect, it } from 'vitest';
import { bestOverAnswers, containsAnswer, exactMatch, normalizeAnswer, tokenF1 } from '../../../evals/metrics/squad-answer.js';

// Expected values follow evaluate-v1.1.py step by step (normalize_answer, exact_match_score, f1_score).
describe('normalizeAnswer (SQuAD v1.1)', () => {
  it('lower-cases, drops ASCII punctuation and the articles a/an/the, and collapses whitespace', () => {
    expect(normalizeAnswer('The  Eiffel Tower!')).toBe('eiffel tower');
    expect(normalizeAnswer('  An apple, a day ')).toBe('apple day');
    expect(normalizeAnswer("Denver Broncos'")).toBe('denver broncos');
  });

  it('removes punctuation before articles, so "the-end" becomes "theend" and keeps its article-like start', () => {
    expect(normalizeAnswer('the-end')).toBe('theend');
    expect(normalizeAnswer('A.B.C.')).toBe('abc');
  });

  it('keeps articles inside words and non-ASCII punctuation, as Python does', () => {
    expect(normalizeAnswer('Theatre anthem')).toBe('theatre anthem');
    expect(normalizeAnswer('éa the')).toBe('éa');
    expect(normalizeAnswer('“quoted”')).toBe('“quoted”');
  });
});

describe('exactMatch and tokenF1', () => {
  it('match after normalisation only', () => {
    expect(exactMatch('the Denver Broncos', 'Denver Broncos')).toBe(1);
    expect(exactMatch('Denver Broncos won', 'Denver Broncos')).toBe(0);
  });

  it('computes F1 over token bags: precision 2/3, recall 1 → 0.8', () => {
    expect(tokenF1('Denver Broncos won', 'the Denver Broncos')).toBeCloseTo(0.8, 12);
  });

  it('counts repeated tokens at most as often as the gold has them', () => {
    // prediction "x b b b", gold "b b c": common = {b: 2}; precision 2/4, recall 2/3 → 2·(1/2)(2/3)/(7/6) = 4/7.
    expect(tokenF1('x b b b', 'b b c')).toBeCloseTo(4 / 7, 12);
  });

  it('gives 0 without a shared token, including two answers that are only articles (v1.1 behaviour)', () => {
    expect(tokenF1('Broncos', 'Panthers')).toBe(0);
    expect(tokenF1('the', 'a')).toBe(0);
    expect(exactMatch('the', 'a')).toBe(1);
  });

  it('takes the best score over several gold answers', () => {
    expect(bestOverAnswers(exactMatch, 'December 1972', ['14 December 1972 UTC', 'December 1972'])).toBe(1);
    expect(bestOverAnswers(tokenF1, 'December 1972', ['14 December 1972 UTC'])).toBeCloseTo(2 / 3, 12);
  });

  it('contains matches whole normalized tokens only', () => {
    expect(containsAnswer('It was played in Tampa, Florida.', 'Tampa Florida')).toBe(1);
    expect(containsAnswer('This is not the answer', 'no')).toBe(0);
    expect(containsAnswer('anything', '')).toBe(0);
  });
});
