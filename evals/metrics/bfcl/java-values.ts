import type { ValueKind } from './bfcl-values.js';

// A port of BFCL's java_type_converter: a model writes Java arguments as source text, which is read back into
// values before the usual checks. Text that does not parse as the type stays a string (and then fails the type
// check), as in BFCL.

/** What each BFCL Java type reads into (BFCL's JAVA_TYPE_CONVERSION); types absent here cannot be checked. */
export const JAVA_KINDS: Readonly<Record<string, ValueKind>> = {
  byte: 'int', short: 'int', integer: 'int', long: 'int', float: 'float', double: 'float', boolean: 'bool', char: 'str',
  Array: 'list', ArrayList: 'list', HashMap: 'dict', String: 'str', any: 'str',
};

const INTEGER = /^-?\d+$/;
const LONG = /^-?\d+[lL]$/;
const FLOAT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[fF]$/;
const DOUBLE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Reads Java source text as a value of `type` (elements of `itemType` for arrays and lists). */
export function fromJava(text: string, type: string, itemType?: string): unknown {
  switch (type) {
    case 'byte':
    case 'short':
    case 'integer':
      return INTEGER.test(text) ? Number(text) : text;
    case 'long':
      return LONG.test(text) ? Number(text.slice(0, -1)) : text;
    case 'float':
      return FLOAT.test(text) ? Number(text.slice(0, -1)) : text;
    case 'double':
      return DOUBLE.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'Array':
      return javaArray(text, itemType);
    case 'ArrayList':
      return javaArrayList(text, itemType);
    case 'HashMap':
      return javaHashMap(text);
    default:
      // String, char, any: the text itself (BFCL keeps `any` as written).
      return text;
  }
}

// Elements: BFCL strips the quotes of String and char elements in ArrayLists only, and reads `any` elements as
// raw text; Trellis strips them in arrays too and reads `any` elements as Java literals, so that the natural
// `new String[]{"a", "b"}` or `Arrays.asList("id", 42)` matches ["a", "b"] or ["id", 42].
function element(text: string, itemType: string | undefined): unknown {
  const trimmed = text.trim();
  if (itemType === 'String' || itemType === 'char') return unquote(trimmed);
  if (itemType === undefined || itemType === 'any') return javaLiteral(trimmed);
  return fromJava(trimmed, itemType);
}

function javaArray(text: string, itemType: string | undefined): unknown {
  const match = /new\s+\w+\[\]\s*\{(.*?)\}/s.exec(text);
  if (!match) return text;
  return match[1]!.split(',').filter((part) => part.trim() !== '').map((part) => element(part, itemType));
}

function javaArrayList(text: string, itemType: string | undefined): unknown {
  const asList = /new\s+ArrayList<\w*>\(Arrays\.asList\((.+?)\)\)/s.exec(text);
  if (asList) return asList[1]!.split(',').map((part) => element(part, itemType));
  const added = /new\s+ArrayList<\w*>\(\)\s*\{\{\s*(.+?)\s*\}\}/s.exec(text);
  if (added) return [...added[1]!.matchAll(/add\((.+?)\)/g)].map((match) => element(match[1]!, itemType));
  return /new\s+ArrayList<\w*>\(\)/.test(text) ? [] : text;
}

function javaHashMap(text: string): unknown {
  const filled = /new\s+HashMap<.*?>\s*\(\)\s*\{\s*\{?\s*(.*?)\s*\}?\s*\}/s.exec(text);
  if (filled) {
    const entries = [...filled[1]!.matchAll(/put\("(.*?)",\s*(.*?)\)/g)].map((match) => [match[1]!, javaLiteral(match[2]!.trim())]);
    return Object.fromEntries(entries);
  }
  return /new\s+HashMap<.*?>\s*\(\)/.test(text) ? {} : text;
}

/** A Java literal without a declared type (BFCL's parse_java_value). */
function javaLiteral(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1);
  if (LONG.test(text)) return Number(text.slice(0, -1));
  if (FLOAT.test(text)) return Number(text.slice(0, -1));
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? number : text;
}

function unquote(text: string): string {
  const quoted = text.length >= 2 && ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'")));
  return quoted ? text.slice(1, -1) : text;
}
