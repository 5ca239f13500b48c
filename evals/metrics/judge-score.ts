import { extractJson } from './extract-json.js';

/** The scale a judge prompt asks for; replies on the other scale are still read when unambiguous. */
export type JudgeScale = '0-1' | '1-5';

/** A judge's reply read as a score in [0, 1], with its reason when it gave one. */
export interface JudgeScore {
  readonly value: number;
  readonly reason?: string;
}

/**
 * Reads a judge model's reply robustly: a JSON object with `score` (bare, fenced or amid prose), else
 * "score: 4", "Score = 0.8", "4/5" or "4 out of 5", else a reply that is just a number. Scores on a 1–5 scale map
 * linearly to [0, 1] ((n − 1) / 4). A bare 1 follows the prompt's scale; other numbers are read on whichever scale
 * holds them (0.7 is on 0–1, 4 on 1–5), since judges do not always keep to the asked scale. Undefined when the
 * reply holds no usable score.
 */
export function parseJudgeScore(reply: string, scale: JudgeScale): JudgeScore | undefined {
  const json = extractJson(reply);
  if (json.ok && typeof json.value === 'object' && json.value !== null && 'score' in json.value) {
    const record = json.value as Record<string, unknown>;
    const score = typeof record.score === 'number' ? record.score : Number.parseFloat(String(record.score));
    const reason = typeof record.reason === 'string' ? record.reason : undefined;
    const value = normalize(score, undefined, scale);
    if (value !== undefined) return reason === undefined ? { value } : { value, reason };
  }
  const labelled = /\bscore\b[^0-9\n-]{0,12}(-?\d+(?:\.\d+)?)(?:\s*(?:\/|out of)\s*(\d+))?/i.exec(reply);
  const bare = /^\s*(-?\d+(?:\.\d+)?)\s*(?:(?:\/|out of)\s*(\d+))?\s*\.?\s*$/i.exec(reply);
  const match = labelled ?? bare;
  if (!match) return undefined;
  const value = normalize(Number(match[1]), match[2] === undefined ? undefined : Number(match[2]), scale);
  return value === undefined ? undefined : { value };
}

function normalize(score: number, outOf: number | undefined, scale: JudgeScale): number | undefined {
  if (!Number.isFinite(score)) return undefined;
  if (outOf !== undefined) {
    if (outOf === 5) return onOneToFive(score);
    return outOf > 0 && score >= 0 && score <= outOf ? score / outOf : undefined;
  }
  if (score === 1) return scale === '1-5' ? 0 : 1;
  if (score >= 0 && score < 1) return score;
  return onOneToFive(score);
}

function onOneToFive(score: number): number | undefined {
  return score >= 1 && score <= 5 ? (score - 1) / 4 : undefined;
}
