import type { SearchHit } from '../rag/search.js';
import type { AnswerCitation } from './rag.js';

/** What one branch of a parallel graph found: an answer citing its own passages as [1], [2], ... */
export interface BranchFinding {
  /** The branch's position in the plan, so merging does not depend on which branch finished first. */
  readonly index: number;
  readonly question: string;
  /** Cites `passages` by local number (1-based); empty when the branch wrote no answer (retrieval-only mode). */
  readonly answer: string;
  readonly passages: readonly SearchHit[];
}

/** Branch answers rewritten onto one numbering, and the passages those numbers denote. */
export interface MergedFindings {
  readonly sections: readonly { readonly question: string; readonly answer: string }[];
  /** `passages[n - 1]` is the global passage `[n]`; each chunk appears once however many branches cited it. */
  readonly passages: readonly SearchHit[];
}

/**
 * Puts branch answers on one global citation numbering: each branch's `[n]` becomes the global number of that
 * passage's chunk, a chunk cited by two branches gets one number, and a number a branch made up (no such passage)
 * is dropped. With `includeUncited`, passages no answer cites are numbered too (retrieval-only mode lists them all).
 */
export function mergeFindings(findings: readonly BranchFinding[], options: { includeUncited?: boolean } = {}): MergedFindings {
  const numbers = new Map<string, number>();
  const passages: SearchHit[] = [];
  const globalNumber = (hit: SearchHit): number => {
    const known = numbers.get(hit.chunkId);
    if (known !== undefined) return known;
    passages.push(hit);
    numbers.set(hit.chunkId, passages.length);
    return passages.length;
  };
  const sections = [...findings]
    .sort((left, right) => left.index - right.index)
    .map((finding) => {
      const cited = citedNumbers(finding.answer);
      finding.passages.forEach((hit, position) => {
        if (options.includeUncited || cited.has(position + 1)) globalNumber(hit);
      });
      const answer = renumber(finding.answer, (local) => {
        const hit = finding.passages[local - 1];
        return hit ? numbers.get(hit.chunkId) : undefined;
      });
      return { question: finding.question, answer };
    });
  return { sections, passages };
}

/** Rewrites every `[n]` in `text` to `[to(n)]`, dropping markers `to` does not map. */
export function renumber(text: string, to: (n: number) => number | undefined): string {
  return text.replace(/ ?\[(\d+)\]/g, (marker, digits: string) => {
    const next = to(Number(digits));
    return next === undefined ? '' : marker.replace(digits, String(next));
  });
}

/** The passage numbers `[n]` a text cites. */
export function citedNumbers(text: string): Set<number> {
  return new Set([...text.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1])));
}

/** The citation `[n]` of a passage, with its chunk and exact span. */
export function toAnswerCitation(hit: SearchHit, n: number): AnswerCitation {
  return { n, chunkId: hit.chunkId, text: hit.text, ...hit.citation };
}

/** Passages quoted as numbered data blocks, as graphs/rag.ts quotes them. */
export function quotePassages(passages: readonly SearchHit[]): string {
  return passages
    .map((hit, index) => `<passage n="${index + 1}" source="${hit.citation.source}">\n${hit.text}\n</passage>`)
    .join('\n');
}
