import type { BfclFunction, BfclLanguage, BfclParameter } from '../../datasets/bfcl-function-docs.js';
import { modelFunctionName } from '../../datasets/bfcl-function-docs.js';
import type { ExpectedToolCall, ToolCallRecord } from '../../types.js';
import { isDict, kindOf, pythonEquals, standardizeString, type ValueKind } from './bfcl-values.js';
import { fromJava, JAVA_KINDS } from './java-values.js';
import { fromJavaScript, JAVASCRIPT_KINDS } from './javascript-values.js';

/** The verdict on a case's calls, with BFCL's error type and a readable reason when it fails. */
export type AstCheck = { readonly valid: true } | { readonly valid: false; readonly errorType: string; readonly error: string };

/** BFCL's Python type names → the kind of value expected (its PYTHON_TYPE_MAPPING). */
const PYTHON_KINDS: Readonly<Record<string, ValueKind>> = {
  string: 'str', integer: 'int', float: 'float', boolean: 'bool', array: 'list', tuple: 'list', dict: 'dict', any: 'str',
};

const ok: AstCheck = { valid: true };
const failure = (errorType: string, error: string): AstCheck => ({ valid: false, errorType, error });

/**
 * BFCL's AST checker (bfcl_eval/eval_checker/ast_eval/ast_checker.py) over JSON tool calls: the number of calls
 * must equal the number expected; each expected call, in order, takes the first not-yet-matched call that passes
 * the single-call check (so parallel calls match in any order, greedily, as in BFCL).
 */
export function checkCalls(
  calls: readonly ToolCallRecord[],
  expected: readonly ExpectedToolCall[],
  functions: readonly BfclFunction[],
  language: BfclLanguage,
): AstCheck {
  if (calls.length !== expected.length) return failure('wrong_count', `expected ${expected.length} call(s), got ${calls.length}`);
  const matched = new Set<number>();
  for (const [index, want] of expected.entries()) {
    const doc = functions.find((candidate) => modelFunctionName(candidate.name) === want.name);
    if (!doc) return failure('unknown_function', `expected call ${want.name} has no function doc`);
    let last: AstCheck = failure('cannot_find_match', `no call matches expected call ${index} (${want.name})`);
    const found = calls.findIndex((call, callIndex) => {
      if (matched.has(callIndex)) return false;
      last = checkCall(call, want, doc, language);
      return last.valid;
    });
    if (found === -1) return calls.length === 1 ? last : failure('cannot_find_match', `no call matches expected call ${index} (${want.name}): ${describe(last)}`);
    matched.add(found);
  }
  return ok;
}

function describe(check: AstCheck): string {
  return check.valid ? 'ok' : check.error;
}

/** BFCL's simple_function_checker: name, required, unexpected and missing arguments, then each value. */
export function checkCall(call: ToolCallRecord, want: ExpectedToolCall, doc: BfclFunction, language: BfclLanguage): AstCheck {
  if (modelFunctionName(call.name) !== want.name) return failure('wrong_func_name', `expected function ${want.name}, got ${call.name}`);
  const properties = doc.parameters.properties;
  for (const name of doc.parameters.required ?? []) {
    if (!Object.hasOwn(call.arguments, name)) return failure('missing_required', `missing required parameter ${name}`);
  }
  for (const [name, value] of Object.entries(call.arguments)) {
    const parameter = Object.hasOwn(properties, name) ? properties[name] : undefined;
    const acceptable = Object.hasOwn(want.acceptable, name) ? want.acceptable[name] : undefined;
    if (!parameter || !acceptable) return failure('unexpected_param', `unexpected parameter ${name}`);
    const check = checkArgument(name, value, parameter, acceptable, language);
    if (!check.valid) return check;
  }
  for (const [name, acceptable] of Object.entries(want.acceptable)) {
    if (!Object.hasOwn(call.arguments, name) && !acceptable.includes('')) {
      return failure('missing_optional', `parameter ${name} is not given and may not be omitted`);
    }
  }
  return ok;
}

function checkArgument(name: string, raw: unknown, parameter: BfclParameter, acceptable: readonly unknown[], language: BfclLanguage): AstCheck {
  const kinds = language === 'java' ? JAVA_KINDS : language === 'javascript' ? JAVASCRIPT_KINDS : PYTHON_KINDS;
  const expectedKind = kinds[parameter.type];
  if (!expectedKind) return failure('unsupported_type', `parameter ${name} has type ${parameter.type}, which the checker cannot read`);
  const itemType = expectedKind === 'list' ? parameter.items?.type : undefined;
  let value = raw;
  if (language !== 'python') {
    // Java and JavaScript arguments are source text (the model was offered string parameters).
    if (typeof raw !== 'string') return failure(`type_error:${language}`, `parameter ${name} must be a string of ${language} source, got ${kindOf(raw)}`);
    value = language === 'java' ? fromJava(raw, parameter.type, itemType) : fromJavaScript(raw, parameter.type, itemType);
  }
  // `any` elements are read as literals of whatever type they are written in, so their types are not checked.
  const itemKind = itemType === undefined || itemType === 'any' ? undefined : kinds[itemType];
  const type = typeCheck(value, expectedKind, itemKind, acceptable);
  if (!type.valid) return failure('type_error', `parameter ${name}: expected ${parameter.type}, got ${kindOf(value)} ${JSON.stringify(value)}`);
  const matches = type.isVariable ? acceptable.some((option) => pythonEquals(value, option)) : valueMatches(value, expectedKind, itemType, kinds, acceptable);
  return matches ? ok : failure('value_error', `parameter ${name}: ${JSON.stringify(value)} is not one of ${JSON.stringify(acceptable)}`);
}

/** The kind of the acceptable values (the first that is not the "may be omitted" marker). */
function acceptableKind(acceptable: readonly unknown[]): ValueKind | undefined {
  const first = acceptable.find((option) => option !== '');
  return first === undefined ? undefined : kindOf(first);
}

/**
 * BFCL's type_checker. A value of another kind than the parameter's is still accepted when the gold answers have
 * that kind: the gold is then a variable name (`"docFields"` for a HashMap) and is compared as written.
 */
function typeCheck(value: unknown, expected: ValueKind, itemKind: ValueKind | undefined, acceptable: readonly unknown[]): { valid: boolean; isVariable: boolean } {
  const goldKind = acceptableKind(acceptable);
  const isVariable = goldKind !== undefined && goldKind !== expected && !(expected === 'float' && goldKind === 'int');
  const kind = kindOf(value);
  if (kind === expected || (expected === 'float' && kind === 'int')) {
    if (itemKind === undefined || !Array.isArray(value)) return { valid: true, isVariable };
    const itemsFit = acceptable.some((option) => Array.isArray(option) && value.every((item) => itemFits(item, itemKind, option)));
    return { valid: itemsFit, isVariable };
  }
  return { valid: goldKind !== undefined && kind === goldKind, isVariable: true };
}

function itemFits(item: unknown, itemKind: ValueKind, gold: readonly unknown[]): boolean {
  const kind = kindOf(item);
  return kind === itemKind || (itemKind === 'float' && kind === 'int') || kind === acceptableKind(gold);
}

function valueMatches(value: unknown, kind: ValueKind, itemType: string | undefined, kinds: Readonly<Record<string, ValueKind>>, acceptable: readonly unknown[]): boolean {
  if (kind === 'dict' && isDict(value)) return acceptable.some((option) => isDict(option) && dictMatches(value, option));
  if (kind === 'list' && Array.isArray(value) && itemType !== undefined && kinds[itemType] === 'dict') {
    return acceptable.some((option) => Array.isArray(option) && option.length === value.length && option.every((gold, index) => isDict(gold) && isDict(value[index]) && dictMatches(value[index], gold)));
  }
  if (kind === 'str' && typeof value === 'string') {
    return acceptable.some((option) => typeof option === 'string' && standardizeString(option) === standardizeString(value));
  }
  if (kind === 'list' && Array.isArray(value)) {
    const standardized = value.map(standardizeItem);
    return acceptable.some((option) => Array.isArray(option) && pythonEquals(standardized, option.map(standardizeItem)));
  }
  return acceptable.some((option) => pythonEquals(value, option));
}

function standardizeItem(item: unknown): unknown {
  return typeof item === 'string' ? standardizeString(item) : item;
}

/**
 * BFCL's dict_checker: the gold dict maps each key to its acceptable values; every given key must be a gold key
 * with an acceptable value (strings standardized), and every gold key not given must allow omission ("").
 */
function dictMatches(value: Record<string, unknown>, gold: Record<string, unknown>): boolean {
  for (const [key, item] of Object.entries(value)) {
    if (!Object.hasOwn(gold, key)) return false;
    // One BFCL gold dict has a bare value where a list of acceptable values belongs.
    const options = Array.isArray(gold[key]) ? gold[key] : [gold[key]];
    if (!options.some((option) => pythonEquals(standardizeItem(item), standardizeItem(option)))) return false;
  }
  return Object.entries(gold).every(([key, options]) => Object.hasOwn(value, key) || (Array.isArray(options) && options.includes('')));
}
