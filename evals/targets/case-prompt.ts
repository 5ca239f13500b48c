import type { EvalCase } from '../types.js';

/**
 * The user message for a case: its passages, numbered, then the question. Targets that answer "from the given
 * abstract" (PubMedQA) or from retrieved passages (RGB) read the same layout, whichever model is behind them.
 */
export function casePrompt(evalCase: EvalCase): string {
  if (!evalCase.context || evalCase.context.length === 0) return evalCase.input;
  const passages = evalCase.context.map((passage, index) => `[${index + 1}] ${passage}`).join('\n\n');
  return `Context:\n${passages}\n\nQuestion: ${evalCase.input}`;
}
