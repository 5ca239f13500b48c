import { describe, expect, it } from 'vitest';
import { acronymOf, aliasKeys, lookupKeys, namesCompatible, normaliseName, withoutQualifier } from '../../../../rag/extract/normalise-name.js';

describe('normaliseName', () => {
  it('folds case, accents, punctuation, a leading "the" and trailing suffixes', () => {
    expect(normaliseName('The Edward D. Wood Jr.')).toBe('edward d wood');
    expect(normaliseName('Alû')).toBe('alu');
    expect(normaliseName('Procter & Gamble Co.')).toBe('procter and gamble');
    expect(normaliseName("Wood's")).toBe('wood');
    expect(normaliseName('  ?! ')).toBe('');
    expect(normaliseName('Jr.')).toBe('jr');
  });
});

describe('withoutQualifier', () => {
  it('drops the disambiguation of a title', () => {
    expect(withoutQualifier('Ed Wood (film)')).toBe('Ed Wood');
    expect(withoutQualifier('Young, New South Wales')).toBe('Young');
    expect(withoutQualifier('(film)')).toBe('(film)');
  });
});

describe('name variants', () => {
  it('lets "Ed Wood" and "Edward D. Wood Jr." meet: a shared candidate key and compatible names', () => {
    const shared = lookupKeys('Ed Wood', { proper: true }).filter((key) => aliasKeys('Edward D. Wood Jr.', { proper: true }).includes(key));
    expect(shared).toEqual(['~initial:e wood']);
    expect(namesCompatible('ed wood', 'edward d wood')).toBe(true);
  });

  it('keeps different people apart', () => {
    expect(namesCompatible('jane smith', 'john smith')).toBe(false);
    expect(namesCompatible('ed wood', 'ed woods')).toBe(false);
    expect(namesCompatible('edward d wood', 'edward f wood')).toBe(false);
    expect(namesCompatible('wood', 'ed wood')).toBe(false);
  });

  it('matches an organisation and its acronym both ways', () => {
    expect(acronymOf('national aeronautics and space administration')).toBe('nasa');
    expect(acronymOf('edward d wood')).toBeUndefined();
    expect(acronymOf('plan 9 from outer space')).toBeUndefined();
    expect(lookupKeys('NASA', { proper: true })).toContain('~acronym:nasa');
    expect(aliasKeys('National Aeronautics and Space Administration', { proper: true })).toContain('~acronym:nasa');
    expect(lookupKeys('National Aeronautics and Space Administration', { proper: true })).toContain('nasa');
    expect(namesCompatible('nasa', 'national aeronautics and space administration')).toBe(true);
  });

  it('gives concepts no candidate keys beyond their own', () => {
    expect(lookupKeys('flat plates', { proper: false })).toEqual(['flat plates']);
  });
});
