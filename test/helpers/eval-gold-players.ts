import type { BfclFunction, BfclParameter } from '../../evals/datasets/bfcl-function-docs.js';
import type { EvalCase, ToolCallRecord } from '../../evals/types.js';

// "Gold players": what a perfect target would output for a real case, so a scorer can be shown to give 1.0 to the
// gold and less to a corrupted copy. BFCL gold calls are built from the first acceptable value of each argument and,
// for Java and JavaScript, written as the source text a model would write.

/** The calls a perfect model makes for a BFCL case (none for an irrelevance case). */
export function bfclGoldCalls(evalCase: EvalCase): ToolCallRecord[] {
  const language = evalCase.metadata?.language as 'python' | 'java' | 'javascript';
  const docs = evalCase.metadata?.bfclFunctions as BfclFunction[];
  return (evalCase.expected.toolCalls ?? []).map((call) => {
    const doc = docs.find((candidate) => candidate.name.replace(/\./g, '_') === call.name)!;
    const args: Record<string, unknown> = {};
    for (const [name, options] of Object.entries(call.acceptable)) {
      const parameter = doc.parameters.properties[name];
      // Two BFCL gold answers list an optional argument of another function; a valid call leaves it out.
      if (!parameter) continue;
      const chosen = preferred(options.filter((option) => option !== ''), parameter, language);
      if (chosen === undefined) continue;
      const value = pickFirst(chosen);
      args[name] = language === 'java' ? toJava(value, parameter) : language === 'javascript' ? toJavaScript(value, parameter) : value;
    }
    return { name: call.name, arguments: args };
  });
}

// Java and JavaScript values arrive as text, so for a string parameter a textual option ("30.0") is the one a
// model writing source would hit; elsewhere the first option.
function preferred(options: readonly unknown[], parameter: BfclParameter, language: string): unknown {
  const textual = language !== 'python' && ['String', 'any', 'char'].includes(parameter.type);
  return (textual ? options.find((option) => typeof option === 'string') : undefined) ?? options[0];
}

// A gold dict maps each key to its acceptable values; a perfect answer takes the first for each key.
function pickFirst(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pickFirst);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).flatMap(([key, options]) => {
      // One BFCL gold dict has a bare value instead of a list of acceptable values.
      const first = Array.isArray(options) ? options.find((option) => option !== '') : options;
      return first === undefined ? [] : [[key, pickFirst(first)] as const];
    });
    return Object.fromEntries(entries);
  }
  return value;
}

function javaLiteral(value: unknown, type?: string): string {
  if (typeof value === 'string') return type === 'String' || type === 'char' || type === undefined || type === 'any' ? JSON.stringify(value) : value;
  if (typeof value === 'number') return type === 'long' ? `${value}L` : type === 'float' ? `${value}f` : String(value);
  return String(value);
}

function toJava(value: unknown, parameter: BfclParameter): string {
  const itemType = parameter.items?.type;
  switch (parameter.type) {
    case 'long':
      return typeof value === 'number' ? `${value}L` : String(value);
    case 'float':
      return typeof value === 'number' ? `${value}f` : String(value);
    case 'Array':
      return Array.isArray(value) ? `new ${itemType === 'integer' ? 'int' : (itemType ?? 'Object')}[]{${value.map((item) => javaLiteral(item, itemType)).join(', ')}}` : String(value);
    case 'ArrayList':
      return Array.isArray(value) ? `new ArrayList<>(Arrays.asList(${value.map((item) => javaLiteral(item, itemType)).join(', ')}))` : String(value);
    case 'HashMap':
      return typeof value === 'object' && value !== null
        ? `new HashMap<String, Object>() {{ ${Object.entries(value).map(([key, item]) => `put("${key}", ${javaLiteral(item)});`).join(' ')} }}`
        : String(value);
    default:
      return String(value);
  }
}

function jsLiteral(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(jsLiteral).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return `{${Object.entries(value).map(([key, item]) => `${key}: ${jsLiteral(item)}`).join(', ')}}`;
  return String(value);
}

function toJavaScript(value: unknown, parameter: BfclParameter): string {
  if (parameter.type === 'Bigint' && typeof value === 'number') return `${value}n`;
  if ((parameter.type === 'array' || parameter.type === 'dict') && typeof value === 'object' && value !== null) return jsLiteral(value);
  return String(value);
}
