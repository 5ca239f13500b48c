import type { ValueKind } from './bfcl-values.js';

// A port of BFCL's js_type_converter: JavaScript arguments arrive as source text and are read back into values.
// Text that does not parse as the type stays a string (and then fails the type check), as in BFCL.

/** What each BFCL JavaScript type reads into (BFCL's JS_TYPE_CONVERSION). */
export const JAVASCRIPT_KINDS: Readonly<Record<string, ValueKind>> = {
  String: 'str', integer: 'int', float: 'float', Bigint: 'int', Boolean: 'bool', dict: 'dict', array: 'list', any: 'str',
};

/** Reads JavaScript source text as a value of `type` (elements of `itemType` for arrays). */
export function fromJavaScript(text: string, type: string, itemType?: string): unknown {
  switch (type) {
    case 'String':
      return unquote(text);
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'float':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    case 'Bigint':
      return /^-?\d+n$/.test(text) ? Number(text.slice(0, -1)) : text;
    case 'Boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'array':
      return jsArray(text.trim(), itemType);
    case 'dict':
      return jsObject(text.trim());
    default:
      return text;
  }
}

const ARRAY_2D = /^(?:\[\s*\[.*?\]\s*(?:,\s*\[.*?\]\s*)*\]|new\s+Array\(\s*\[.*?\]\s*(?:,\s*\[.*?\]\s*)*\))/s;
const ARRAY = /^(?:\[(.*?)\]|new\s+Array\((.*?)\))/s;

function jsArray(text: string, itemType: string | undefined): unknown {
  const nested = ARRAY_2D.exec(text);
  if (nested) {
    return [...nested[0].matchAll(/\[(.*?)\]/g)].map((match) =>
      match[1]!.trim().replace(/^\[/, '').split(',').map((part) => jsLiteral(part)),
    );
  }
  const flat = ARRAY.exec(text);
  if (!flat) return text;
  const inner = (flat[1] ?? flat[2] ?? '').trim();
  const parts = inner === '' ? [] : inner.split(',');
  return parts.map((part) => (itemType ? fromJavaScript(part.trim(), itemType) : jsLiteral(part)));
}

function jsObject(text: string): unknown {
  if (text === '{}') return {};
  const match = /^\{(.*?)\}/s.exec(text);
  if (!match) return text;
  const entries: [string, unknown][] = [];
  for (const pair of match[1]!.matchAll(/([^:]+):\s*(.*?)(?:,\s*(?=[^,]+:)|$)/gs)) {
    const key = pair[1]!.trim().replace(/^['"]+|['"]+$/g, '');
    const value = pair[2]!.trim();
    if (value.startsWith('[') && value.endsWith(']')) entries.push([key, jsArray(value, undefined)]);
    else if (value.startsWith('{') && value.endsWith('}')) entries.push([key, jsObject(value)]);
    else entries.push([key, jsLiteral(value.replace(/^['"]+|['"]+$/g, ''))]);
  }
  return Object.fromEntries(entries);
}

/** A JavaScript literal without a declared type (BFCL's parse_js_value). */
function jsLiteral(raw: string): unknown {
  const text = raw.trim();
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text.length >= 2 && ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'")))) return text.slice(1, -1);
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? number : text;
}

function unquote(text: string): string {
  const quoted = text.length >= 2 && ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'")));
  return quoted ? text.slice(1, -1) : text;
}
