import winkNLP, { type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { normaliseName } from './normalise-name.js';
import type { ChunkExtraction, ChunkToExtract, ExtractedEntity, ExtractedRelation, GraphExtractor } from './types.js';

/** Weight of a proper name's mention; a noun phrase counts half (it is less specific). */
const PROPER_WEIGHT = 1;
const CONCEPT_WEIGHT = 0.5;
/** A mention in the document's title says more about what the chunk is about. */
const TITLE_BOOST = 2;
/** Entities of one sentence that get co-occurrence relations: the pairs grow quadratically. */
const MAX_RELATED_PER_SENTENCE = 10;
const MAX_NAME_TOKENS = 8;
const MAX_PHRASE_TOKENS = 4;
/** Lower-case words that may sit inside a proper name when another capitalised word follows. */
const NAME_CONNECTORS = new Set(['of', 'the', 'de', 'du', 'da', 'del', 'la', 'le', 'von', 'van', 'and', '&', 'for', 'from']);
/** Adjectives that say nothing about what a noun phrase names ("several flat plates" is "flat plate"). */
const VAGUE_ADJECTIVES = new Set([
  'other', 'such', 'many', 'several', 'same', 'various', 'certain', 'new', 'first', 'last', 'following', 'different', 'own',
  'more', 'most', 'further', 'present', 'previous', 'similar', 'general', 'particular', 'main', 'good', 'great', 'large',
  'small', 'high', 'low', 'few', 'whole', 'possible', 'able', 'available', 'recent', 'early', 'late', 'second', 'third',
]);

/** Month and day names: tagged as proper nouns, but they tie together chunks that share only a date. */
const CALENDAR_WORDS = new Set([
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
]);

let shared: { nlp: WinkMethods; its: WinkMethods['its'] } | undefined;
/** wink's model is loaded once per process (about 100 ms) and only when offline extraction is first used. */
function nlp(): { nlp: WinkMethods; its: WinkMethods['its'] } {
  if (!shared) {
    // Sentence boundaries and part-of-speech tags only: wink's NER finds dates and numbers, not names.
    const instance = winkNLP(model, ['sbd', 'pos']);
    shared = { nlp: instance, its: instance.its };
  }
  return shared;
}

interface Mention {
  readonly name: string;
  readonly key: string;
  readonly proper: boolean;
}

/**
 * Entities and relations without a language model (wink-nlp's English model): proper names are runs of proper
 * nouns (with "of", "the", ... inside: "University of Southern California"), concepts are multi-word noun
 * phrases lemmatised ("flat plates" → "flat plate"); entities of one sentence are related by `co_occurs`, and
 * the title's entities by `about` to every entity of the chunk. Fast (tens of thousands of chunks a minute) and
 * deterministic, for retrieval-only installations and tests.
 *
 * @example
 * const extractor = createOfflineExtractor();
 * const [result] = await extractor.extract([{ id: 'c1', title: 'Ed Wood', text: 'Ed Wood directed Plan 9 from Outer Space.' }]);
 */
export function createOfflineExtractor(): GraphExtractor {
  return {
    name: 'offline',
    async extract(chunks) {
      return chunks.map((chunk) => extractChunk(chunk));
    },
  };
}

/** The offline extraction of one chunk (synchronous: wink is pure JavaScript). */
export function extractChunk(chunk: ChunkToExtract): ChunkExtraction {
  const entities = new Map<string, { entity: ExtractedEntity; names: Map<string, number> }>();
  const relations = new Map<string, ExtractedRelation>();
  const add = (mention: Mention, weight: number) => {
    const existing = entities.get(mention.key);
    if (existing) {
      existing.names.set(mention.name, (existing.names.get(mention.name) ?? 0) + 1);
      existing.entity = { ...existing.entity, weight: existing.entity.weight + weight };
      return;
    }
    const entity: ExtractedEntity = { name: mention.name, type: mention.proper ? 'name' : 'concept', description: '', proper: mention.proper, weight };
    entities.set(mention.key, { entity, names: new Map([[mention.name, 1]]) });
  };
  const relate = (source: string, target: string, type: string, weight: number) => {
    if (source === target) return;
    // Co-occurrence has no direction: one order per pair keeps one relation.
    const [from, to] = type === 'co_occurs' && target < source ? [target, source] : [source, target];
    const id = `${from}\u0000${type}\u0000${to}`;
    const existing = relations.get(id);
    relations.set(id, { source: from, target: to, type, description: '', weight: (existing?.weight ?? 0) + weight });
  };

  const titleMentions = chunk.title ? [...titleEntity(chunk.title), ...sentencesOf(chunk.title).flat()] : [];
  for (const mention of titleMentions) add(mention, TITLE_BOOST * (mention.proper ? PROPER_WEIGHT : CONCEPT_WEIGHT));
  const sentences = sentencesOf(chunk.text);
  for (const sentence of sentences) {
    for (const mention of sentence) add(mention, mention.proper ? PROPER_WEIGHT : CONCEPT_WEIGHT);
    const keys = [...new Set(sentence.map((mention) => mention.key))].slice(0, MAX_RELATED_PER_SENTENCE);
    for (let i = 0; i < keys.length; i += 1) {
      for (let j = i + 1; j < keys.length; j += 1) relate(keys[i]!, keys[j]!, 'co_occurs', 1);
    }
  }
  const titleKeys = [...new Set(titleMentions.map((mention) => mention.key))];
  for (const titleKey of titleKeys) {
    for (const key of entities.keys()) relate(titleKey, key, 'about', 1);
  }

  // Names are chosen per key (most frequent spelling); relations refer to entities by those names.
  const nameOf = new Map<string, string>();
  const extracted: ExtractedEntity[] = [];
  for (const [key, { entity, names }] of entities) {
    const name = [...names.entries()].sort(([left, a], [right, b]) => b - a || right.length - left.length || (left < right ? -1 : 1))[0]![0];
    nameOf.set(key, name);
    extracted.push({ ...entity, name });
  }
  return {
    chunkId: chunk.id,
    entities: extracted,
    relations: [...relations.values()].map((relation) => ({
      ...relation,
      source: nameOf.get(relation.source)!,
      target: nameOf.get(relation.target)!,
    })),
  };
}

/**
 * A title that reads as a name ("Young, New South Wales", "Ed Wood (film)") is the entity its document is about,
 * whole: its parts are found as well, but only the whole title ties mentions elsewhere to this document.
 */
function titleEntity(title: string): Mention[] {
  const name = title.trim();
  const words = name.split(/\s+/);
  if (words.length > MAX_NAME_TOKENS || !/^\p{Lu}/u.test(name) || /[.!?]$/.test(name)) return [];
  const key = normaliseName(name);
  return key !== '' && /\p{L}/u.test(key) ? [{ name, key, proper: true }] : [];
}

/** The mentions of each sentence of a text, in order. */
function sentencesOf(text: string): Mention[][] {
  const { nlp: instance, its } = nlp();
  const doc = instance.readDoc(text);
  const tokens = doc.tokens();
  const values = tokens.out() as string[];
  const tags = tokens.out(its.pos) as string[];
  // wink's typings declare lemma with another signature than the other token helpers; it is one at run time.
  const lemmas = tokens.out(its.lemma as unknown as typeof its.pos) as string[];
  const spans = doc.sentences().out(its.span) as unknown as [number, number][];
  return spans.map(([start, end]) => mentionsIn(values, tags, lemmas, start, end));
}

function mentionsIn(values: readonly string[], tags: readonly string[], lemmas: readonly string[], start: number, end: number): Mention[] {
  const mentions: Mention[] = [];
  const isCapitalised = (index: number) => /^\p{Lu}/u.test(values[index]!);
  const isName = (index: number) => tags[index] === 'PROPN' && isCapitalised(index) && !CALENDAR_WORDS.has(values[index]!.toLowerCase());
  let index = start;
  while (index <= end) {
    // A capitalised first word of a sentence followed by a noun is usually a common noun ("Boundary layers ...").
    const sentenceInitialNoun = index === start && tags[index] === 'PROPN' && tags[index + 1] === 'NOUN' && index + 1 <= end;
    if (isName(index) && !sentenceInitialNoun) {
      let last = index;
      let cursor = index + 1;
      while (cursor <= end && cursor - index < MAX_NAME_TOKENS) {
        if (isName(cursor)) {
          last = cursor;
          cursor += 1;
          continue;
        }
        // Up to two connecting words ("of the", "9 from") when a capitalised word follows them.
        let gap = cursor;
        while (gap <= end && gap - cursor < 2 && (NAME_CONNECTORS.has(values[gap]!.toLowerCase()) || tags[gap] === 'NUM')) gap += 1;
        if (gap === cursor || gap > end || !isName(gap)) break;
        // "and" joins lists more often than names: "Military and Naval Academy" continues, "Switzerland and France" not.
        const joinsList = values.slice(cursor, gap).some((value) => value.toLowerCase() === 'and') && !(gap + 1 <= end && isName(gap + 1));
        if (joinsList) break;
        cursor = gap;
      }
      const name = values.slice(index, last + 1).join(' ').replace(/\s+(['’]s)$/u, '');
      const key = normaliseName(name);
      if (key !== '' && /\p{L}/u.test(key)) mentions.push({ name, key, proper: true });
      index = last + 1;
      continue;
    }
    if (tags[index] === 'ADJ' || tags[index] === 'NOUN' || sentenceInitialNoun) {
      let cursor = index;
      while (cursor <= end && (tags[cursor] === 'ADJ' || tags[cursor] === 'NOUN' || (cursor === index && sentenceInitialNoun))) cursor += 1;
      // The phrase ends at its last noun: "flat plate" in "flat plate theoretical".
      let last = cursor - 1;
      while (last >= index && tags[last] !== 'NOUN') last -= 1;
      let first = index;
      while (first < last && VAGUE_ADJECTIVES.has(values[first]!.toLowerCase())) first += 1;
      first = Math.max(first, last - MAX_PHRASE_TOKENS + 1);
      if (last > first) {
        const words = values.slice(first, last + 1).map((value) => value.toLowerCase());
        words[words.length - 1] = lemmas[last]!.toLowerCase();
        const name = words.join(' ');
        const key = normaliseName(name);
        if (key.includes(' ')) mentions.push({ name, key, proper: false });
      }
      index = cursor;
      continue;
    }
    index += 1;
  }
  return mentions;
}
