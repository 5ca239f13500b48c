import type { TargetOutput } from '../types.js';

const MAX_ANSWER_CHARS = 2000;
const MAX_RETRIEVED = 10;
const MAX_TOOL_CALLS = 20;

/**
 * The part of an output a report shows, bounded in size: the answer's start, the top passages' ids, the calls.
 * Whole outputs (100 passages with their text) would make a stored run many times the dataset's size.
 */
export function summarizeOutput(output: TargetOutput): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  if (output.answer !== undefined) {
    summary.answer = output.answer.length > MAX_ANSWER_CHARS ? `${output.answer.slice(0, MAX_ANSWER_CHARS)}…` : output.answer;
  }
  if (output.retrieved) summary.retrieved = output.retrieved.slice(0, MAX_RETRIEVED).map((passage) => passage.id);
  if (output.toolCalls) summary.toolCalls = output.toolCalls.slice(0, MAX_TOOL_CALLS);
  return summary;
}
