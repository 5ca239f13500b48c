import { createHash } from 'node:crypto';
import { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import type { BeirCollection } from './beir-collection.js';

/** One question of the original HotpotQA JSON (train, or dev in the distractor or fullwiki setting). */
const HotpotQaItem = z.object({
  _id: z.string().min(1),
  question: z.string(),
  answer: z.string().optional(),
  type: z.string().optional(),
  level: z.string().optional(),
  supporting_facts: z.array(z.tuple([z.string(), z.number().int()])),
  context: z.array(z.tuple([z.string(), z.array(z.string())])),
});
const HotpotQaFile = z.array(HotpotQaItem);

/** The collection plus what the conversion had to leave out, so the caller can say so. */
export interface HotpotQaConversion extends BeirCollection {
  /** Supporting facts whose title is not among the question's context paragraphs (no paragraph to judge). */
  readonly unmatchedSupportingFacts: readonly { readonly queryId: string; readonly title: string }[];
}

/**
 * Turns HotpotQA questions into a BEIR collection: the corpus is every context paragraph (title, sentences joined
 * as HotpotQA stores them, with their leading spaces), the queries are the questions (answer, type and level kept
 * as metadata), and each query's relevant documents are its supporting paragraphs (gain 1, one row per paragraph
 * however many of its sentences are cited).
 *
 * Ids are made from the title so they stay stable across files and runs: a readable slug plus 8 hex digits of the
 * title's SHA-256 (`lilu-mythology-5d1c…`), since distinct titles can share a slug ("Alû", "Alu"). A paragraph that
 * several questions share is written once; if the same title comes with another text (a later Wikipedia revision
 * in a merged file), that text is kept as its own document, `<id>-v2`, `-v3`, … in order of appearance, and the
 * question that cites it is judged against it. Throws `EVAL_DATASET_INVALID` naming the first malformed item.
 */
export function convertHotpotQa(json: unknown): HotpotQaConversion {
  const parsed = HotpotQaFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TrellisError('EVAL_DATASET_INVALID', `HotpotQA file: item ${issue.path.join('.')}: ${issue.message}`, {
      hint: 'Pass the original HotpotQA JSON: an array of {_id, question, supporting_facts: [[title, sentence]], context: [[title, [sentence]]]}.',
      details: { path: issue.path.join('.') },
    });
  }
  const corpus: { _id: string; title: string; text: string }[] = [];
  const variantsByTitle = new Map<string, { id: string; text: string }[]>();
  const queries: BeirCollection['queries'][number][] = [];
  const qrels: BeirCollection['qrels'][number][] = [];
  const unmatchedSupportingFacts: { queryId: string; title: string }[] = [];
  const seenQueries = new Set<string>();

  for (const item of parsed.data) {
    if (seenQueries.has(item._id)) {
      throw new TrellisError('EVAL_DATASET_INVALID', `HotpotQA file holds the question id ${item._id} twice`, { details: { id: item._id } });
    }
    seenQueries.add(item._id);
    const paragraphOf = new Map<string, string>();
    for (const [title, sentences] of item.context) {
      const text = sentences.join('').trim();
      const variants = variantsByTitle.get(title) ?? [];
      let variant = variants.find((known) => known.text === text);
      if (!variant) {
        const base = titleId(title);
        variant = { id: variants.length === 0 ? base : `${base}-v${variants.length + 1}`, text };
        variants.push(variant);
        variantsByTitle.set(title, variants);
        corpus.push({ _id: variant.id, title, text });
      }
      paragraphOf.set(title, variant.id);
    }
    const metadata = Object.fromEntries(
      (['answer', 'type', 'level'] as const).flatMap((key) => (item[key] === undefined ? [] : [[key, item[key]!]])),
    );
    queries.push({ _id: item._id, text: item.question, metadata });
    const judged = new Set<string>();
    for (const [title] of item.supporting_facts) {
      const corpusId = paragraphOf.get(title);
      if (corpusId === undefined) {
        unmatchedSupportingFacts.push({ queryId: item._id, title });
        continue;
      }
      if (judged.has(corpusId)) continue;
      judged.add(corpusId);
      qrels.push({ queryId: item._id, corpusId, score: 1 });
    }
  }
  return { corpus, queries, qrels, unmatchedSupportingFacts };
}

/** A stable, readable id for a Wikipedia title: ASCII slug (diacritics dropped) + 8 hex digits of its hash. */
function titleId(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(title).digest('hex').slice(0, 8);
  return slug === '' ? hash : `${slug}-${hash}`;
}
