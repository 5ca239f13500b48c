import {
  absDependencies, acosDependencies, addDependencies, asinDependencies, atan2Dependencies, atanDependencies,
  cbrtDependencies, ceilDependencies, cosDependencies, coshDependencies, create, divideDependencies, eDependencies,
  expDependencies, floorDependencies, hypotDependencies, log10Dependencies, log2Dependencies, logDependencies,
  maxDependencies, minDependencies, modDependencies, multiplyDependencies, parseDependencies, piDependencies,
  powDependencies, roundDependencies, signDependencies, sinDependencies, sinhDependencies, sqrtDependencies,
  subtractDependencies, tanDependencies, tanhDependencies, tauDependencies, unaryMinusDependencies,
  unaryPlusDependencies, type FactoryFunctionMap, type MathNode,
} from 'mathjs';
import { z } from 'zod';
import { TrellisError } from '../core/errors.js';
import { defineTool } from './define-tool.js';

// mathjs types its dependency exports as possibly undefined; a missing one would be a broken install.
function present(maps: Record<string, FactoryFunctionMap | undefined>): FactoryFunctionMap {
  const checked: FactoryFunctionMap = {};
  for (const [name, map] of Object.entries(maps)) {
    if (!map) throw new Error(`mathjs does not export ${name}`);
    checked[name] = map;
  }
  return checked;
}

// Only the factories arithmetic needs: functions that were never created cannot be reached from an expression.
// Plain numbers (no BigNumber, no units) and `predictable` (sqrt(-1) is NaN, not a complex number) keep results real.
const math = create(
  present({
    addDependencies, subtractDependencies, multiplyDependencies, divideDependencies, powDependencies, modDependencies,
    unaryMinusDependencies, unaryPlusDependencies, absDependencies, sqrtDependencies, cbrtDependencies,
    expDependencies, logDependencies, log10Dependencies, log2Dependencies, sinDependencies, cosDependencies,
    tanDependencies, asinDependencies, acosDependencies, atanDependencies, atan2Dependencies, sinhDependencies,
    coshDependencies, tanhDependencies, roundDependencies, floorDependencies, ceilDependencies, minDependencies,
    maxDependencies, hypotDependencies, signDependencies, piDependencies, eDependencies, tauDependencies,
    parseDependencies,
  }),
  { number: 'number', predictable: true },
);
const parse = math.parse;
// mathjs's security guidance: with the parser kept above, disable every function that could reach the parser,
// the type system or the instance's configuration from inside an expression (defence in depth: the AST whitelist
// below already refuses any name not listed).
const disabled = (name: string) => () => {
  throw new Error(`${name} is disabled`);
};
math.import(
  Object.fromEntries(
    ['import', 'createUnit', 'evaluate', 'parse', 'simplify', 'derivative', 'resolve', 'reviver', 'compile'].map(
      (name) => [name, disabled(name)],
    ),
  ),
  { override: true },
);

const OPERATORS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'mod', 'unaryMinus', 'unaryPlus']);
const FUNCTIONS = new Set([
  'abs', 'sqrt', 'cbrt', 'exp', 'log', 'log10', 'log2', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh',
  'cosh', 'tanh', 'round', 'floor', 'ceil', 'min', 'max', 'hypot', 'sign',
]);
const CONSTANTS = new Set(['pi', 'e', 'tau']);
const MAX_EXPRESSION_LENGTH = 500;

/** Why the expression is refused, or undefined when every node of it is plain arithmetic. */
function refusal(node: MathNode): string | undefined {
  switch (node.type) {
    case 'ConstantNode':
      return typeof (node as math.ConstantNode).value === 'number' ? undefined : 'only numbers are allowed';
    case 'ParenthesisNode':
      return refusal((node as math.ParenthesisNode).content);
    case 'SymbolNode': {
      const { name } = node as math.SymbolNode;
      return CONSTANTS.has(name) ? undefined : `unknown name "${name}" (constants: ${[...CONSTANTS].join(', ')})`;
    }
    case 'OperatorNode': {
      const operator = node as math.OperatorNode;
      if (!OPERATORS.has(operator.fn)) return `operator "${operator.op}" is not allowed (use + - * / ^ % mod)`;
      return firstRefusal(operator.args);
    }
    case 'FunctionNode': {
      const call = node as math.FunctionNode;
      const name = call.fn.type === 'SymbolNode' ? (call.fn as math.SymbolNode).name : undefined;
      if (name === undefined || !FUNCTIONS.has(name)) {
        return `function "${name ?? '?'}" is not allowed (functions: ${[...FUNCTIONS].join(', ')})`;
      }
      return firstRefusal(call.args);
    }
    default:
      return `${node.type.replace(/Node$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} expressions are not allowed; use arithmetic only`;
  }
}

function firstRefusal(nodes: readonly MathNode[]): string | undefined {
  for (const node of nodes) {
    const reason = refusal(node);
    if (reason) return reason;
  }
  return undefined;
}

/** Parses and checks an expression; throws TOOL_INPUT_INVALID with the reason when it is not plain arithmetic. */
function parseArithmetic(expression: string): MathNode {
  let node: MathNode;
  try {
    node = parse(expression);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrellisError('TOOL_INPUT_INVALID', `expression cannot be parsed: ${reason}`);
  }
  const reason = refusal(node);
  if (reason) throw new TrellisError('TOOL_INPUT_INVALID', `expression refused: ${reason}`);
  return node;
}

/**
 * Evaluates arithmetic exactly enough for a chat answer: + - * / ^ % mod, parentheses, a fixed list of functions
 * (sqrt, log, sin, round, min, max, ...) and the constants pi, e, tau. Anything else (names, assignments, units,
 * strings, matrices, mathjs's own functions) is refused before evaluation, and never reaches `eval` or `Function`.
 */
export default defineTool({
  name: 'calculator',
  description:
    'Evaluates an arithmetic expression and returns the number. Supports + - * / ^ % mod, parentheses, ' +
    `${[...FUNCTIONS].join(', ')} and the constants pi, e, tau.`,
  schema: z.object({
    expression: z
      .string()
      .min(1)
      .max(MAX_EXPRESSION_LENGTH)
      .describe('The arithmetic expression, e.g. "(17.5 * 3) / sqrt(2)"'),
  }),
  idempotent: true,
  execute({ expression }) {
    const node = parseArithmetic(expression);
    const value: unknown = node.compile().evaluate({});
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TrellisError('TOOL_INPUT_INVALID', `expression has no finite real result (got ${String(value)})`, {
        hint: 'Check for division by zero, overflow (huge exponents) or roots and logs of negative numbers.',
      });
    }
    // 15 significant digits hide binary rounding noise: 0.1 + 0.2 answers 0.3, not 0.30000000000000004.
    return { expression, result: Number(value.toPrecision(15)) };
  },
});
