/**
 * Entity names as comparable keys. Two mentions whose keys are equal are one entity; the alias keys below let the
 * resolver find candidates that are written differently ("Ed Wood" / "Edward D. Wood Jr.", "NASA" / "National
 * Aeronautics and Space Administration").
 */

/** Generational and corporate suffixes that do not tell two entities apart. */
const DROPPED_SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'inc', 'ltd', 'llc', 'plc', 'corp', 'co']);
/** Words an acronym skips ("University of Southern California" is USC). */
const ACRONYM_SKIPPED = new Set(['of', 'and', 'the', 'for', 'in', 'on', 'at', 'a', 'an', 'de', 'du', 'la', 'le', 'von', 'van', 'to']);
/** Prefix of the alias keys that only serve to find candidates; no surface name normalises to one. */
const INITIAL_ALIAS = '~initial:';
const ACRONYM_ALIAS = '~acronym:';

/**
 * Lower-case, accents and punctuation removed, `&` as `and`, a leading "the" and trailing suffixes (Jr., Inc.)
 * dropped, whitespace collapsed. "The Edward D. Wood Jr." → "edward d wood". Empty when nothing is left.
 */
export function normaliseName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’]s\b/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((word) => word !== '');
  if (words[0] === 'the' && words.length > 1) words.shift();
  while (words.length > 1 && DROPPED_SUFFIXES.has(words[words.length - 1]!)) words.pop();
  return words.join(' ');
}

/**
 * The name without a trailing qualifier, parenthesised or after a comma, as titles disambiguate:
 * "Ed Wood (film)" → "Ed Wood", "Young, New South Wales" → "Young".
 */
export function withoutQualifier(name: string): string {
  return name.replace(/\s*\([^()]*\)\s*$/u, '').replace(/,.*$/u, '').trim() || name;
}

/** Initials of the significant words, for names of three or more of them: "national aeronautics and space administration" → "nasa". */
export function acronymOf(key: string): string | undefined {
  const words = key.split(' ').filter((word) => !ACRONYM_SKIPPED.has(word));
  // Initials ("edward d wood") and numbers make initialisms of what are not names of organisations.
  if (words.length < 3 || words.some((word) => /^\d/.test(word) || word.length === 1)) return undefined;
  return words.map((word) => word[0]).join('');
}

/** Whether a surface name looks like an acronym: one all-capital token of 2 to 6 letters ("NASA", "MIT"). */
export function looksLikeAcronym(name: string): boolean {
  return /^\p{Lu}{2,6}$/u.test(name.replace(/\./g, ''));
}

/**
 * Keys a proper name registers in the store so that later variants find it: its qualifier-free key, the first
 * initial with the last word (a person's "e wood"), and its acronym.
 */
export function aliasKeys(name: string, options: { readonly proper: boolean }): string[] {
  const key = normaliseName(name);
  const bare = normaliseName(withoutQualifier(name));
  const aliases = new Set([key, bare]);
  if (options.proper) {
    const initial = initialKey(bare);
    if (initial) aliases.add(initial);
    const acronym = acronymOf(bare);
    if (acronym) aliases.add(`${ACRONYM_ALIAS}${acronym}`);
  }
  aliases.delete('');
  return [...aliases];
}

/** Keys under which a name looks for candidates it might be the same entity as. */
export function lookupKeys(name: string, options: { readonly proper: boolean }): string[] {
  const keys = new Set(aliasKeys(name, options));
  if (options.proper) {
    const bare = normaliseName(withoutQualifier(name));
    if (looksLikeAcronym(name)) keys.add(`${ACRONYM_ALIAS}${bare}`);
    const acronym = acronymOf(bare);
    if (acronym) keys.add(acronym);
  }
  return [...keys];
}

/**
 * Whether two normalised person-or-place names can denote the same entity: same last word, first words equal or
 * one a prefix of the other ("ed" / "edward", "e" / "edward"), and middle words, where both have them, starting
 * alike. Or one is the other's acronym.
 */
export function namesCompatible(left: string, right: string): boolean {
  if (left === right) return true;
  if (acronymOf(left) === right || acronymOf(right) === left) return true;
  const a = left.split(' ');
  const b = right.split(' ');
  if (a.length < 2 || b.length < 2) return false;
  if (a[a.length - 1] !== b[b.length - 1]) return false;
  const [firstA, firstB] = [a[0]!, b[0]!];
  if (!(firstA.startsWith(firstB) || firstB.startsWith(firstA))) return false;
  const middleA = a.slice(1, -1);
  const middleB = b.slice(1, -1);
  return middleA.every((word, index) => middleB[index] === undefined || word[0] === middleB[index]![0]);
}

/** Whether a key is only a candidate-finding alias (never an entity's own key). */
export function isLookupOnlyKey(key: string): boolean {
  return key.startsWith(INITIAL_ALIAS) || key.startsWith(ACRONYM_ALIAS);
}

/** Whether a key is a first-initial-and-last-word key, which only suggests a candidate (names must still agree). */
export function isInitialKey(key: string): boolean {
  return key.startsWith(INITIAL_ALIAS);
}

function initialKey(key: string): string | undefined {
  const words = key.split(' ');
  if (words.length < 2 || words.length > 4 || words.some((word) => /^\d/.test(word))) return undefined;
  return `${INITIAL_ALIAS}${words[0]![0]} ${words[words.length - 1]}`;
}
