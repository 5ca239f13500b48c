import { z } from 'zod';
import { defineTool } from './define-tool.js';

// Only the lists, not the engine: describing the tool must not load mathjs.
import { CALCULATOR_FUNCTIONS, MAX_EXPRESSION_LENGTH } from './calculator-functions.js';

/**
 * Evaluates arithmetic exactly enough for a chat answer: + - * / ^ % mod, parentheses, a fixed list of functions
 * (sqrt, log, sin, round, min, max, ...) and the constants pi, e, tau. Anything else (names, assignments, units,
 * strings, matrices, mathjs's own functions) is refused before evaluation, and never reaches `eval` or `Function`.
 */
export default defineTool({
  name: 'calculator',
  description:
    'Evaluates an arithmetic expression and returns the number. Supports + - * / ^ % mod, parentheses, ' +
    `${CALCULATOR_FUNCTIONS.join(', ')} and the constants pi, e, tau.`,
  schema: z.object({
    expression: z
      .string()
      .min(1)
      .max(MAX_EXPRESSION_LENGTH)
      .describe('The arithmetic expression, e.g. "(17.5 * 3) / sqrt(2)"'),
  }),
  idempotent: true,
  async execute({ expression }) {
    const { evaluateArithmetic } = await import('./calculator-engine.js');
    const value = evaluateArithmetic(expression);
    // 15 significant digits hide binary rounding noise: 0.1 + 0.2 answers 0.3, not 0.30000000000000004.
    return { expression, result: Number(value.toPrecision(15)) };
  },
});
