import { z } from 'zod';
import { evaluateArithmetic } from '../../../tools/calculator-engine.js';
import { type AnyToolDefinition, defineTool } from '../../../tools/define-tool.js';
import { fail, roundCents } from './retail-store.js';

const ARITHMETIC = /^[0-9+\-*/(). ]+$/;

/** The tools every tau2 domain offers: a calculator, a scratchpad and the hand-over to a person. */
export function genericTools(): AnyToolDefinition[] {
  return [
    defineTool({
      name: 'calculate',
      description: 'Calculate the result of an arithmetic expression of numbers, + - * /, parentheses and spaces.',
      schema: z.object({ expression: z.string().describe("The expression, such as '2 + 2'") }),
      idempotent: true,
      // tau2 accepts only these characters and answers with the result rounded to cents, as a string.
      execute: ({ expression }) => {
        if (!ARITHMETIC.test(expression)) fail('Invalid characters in expression');
        return String(roundCents(evaluateArithmetic(expression)));
      },
    }),
    defineTool({
      name: 'think',
      description: 'Think something through. Obtains no information and changes nothing; use it for complex reasoning.',
      schema: z.object({ thought: z.string().describe('The thought') }),
      idempotent: true,
      execute: () => '',
    }),
    defineTool({
      name: 'transfer_to_human_agents',
      description:
        'Transfer the user to a human agent with a summary of their issue. Only when the user asks for one, or the policy and tools cannot solve the issue.',
      schema: z.object({ summary: z.string().describe("A summary of the user's issue") }),
      execute: () => 'Transfer successful',
    }),
  ];
}
