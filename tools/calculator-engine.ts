// The restricted mathjs instance behind the calculator tool, in its own module because mathjs takes most of a
// second to import: calculator.ts loads it on the first calculation, not at start-up.
import {
  absDependencies, acosDependencies, addDependencies, asinDependencies, atan2Dependencies, atanDependencies,
  cbrtDependencies, ceilDependencies, cosDependencies, coshDependencies, create, divideDependencies, eDependencies,
  expDependencies, floorDependencies, hypotDependencies, log10Dependencies, log2Dependencies, logDependencies,
  maxDependencies, minDependencies, modDependencies, multiplyDependencies, parseDependencies, piDependencies,
  powDependencies, roundDependencies, signDependencies, sinDependencies, sinhDependencies, sqrtDependencies,
  subtractDependencies, tanDependencies, tanhDependencies, tauDependencies, unaryMinusDependencies,
  unaryPlusDependencies, type FactoryFunctionMap, type MathNode,
} from 'mathjs';
import { TrellisError } from '../core/errors.js';
import { CALCULATOR_CONSTANTS, CALCULATOR_FUNCTIONS } from './calculator-functions.js';

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
const FUNCTIONS = new Set(CALCULATOR_FUNCTIONS);
const CONSTANTS = new Set(CALCULATOR_CONSTANTS);

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

/** The value of a plain-arithmetic expression; TOOL_INPUT_INVALID for anything else or a non-finite result. */
export function evaluateArithmetic(expression: string): number {
  const value: unknown = parseArithmetic(expression).compile().evaluate({});
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TrellisError('TOOL_INPUT_INVALID', `expression has no finite real result (got ${String(value)})`, {
      hint: 'Check for division by zero, overflow (huge exponents) or roots and logs of negative numbers.',
    });
  }
  return value;
}
