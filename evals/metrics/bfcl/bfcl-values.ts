/** BFCL's value kinds (Python's type() in its checker): what a parameter type expects and what a value is. */
export type ValueKind = 'str' | 'int' | 'float' | 'bool' | 'list' | 'dict' | 'null';

/**
 * The kind of a JSON value. JSON cannot tell 5 from 5.0, so an integral number is `int`; that is why a float
 * parameter given 5 is accepted, as BFCL accepts Python ints for floats, and an integer parameter given 5.0 is too.
 */
export function kindOf(value: unknown): ValueKind {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** BFCL's standardize_string: drop spaces and `,./-_*^`, lower-case, and read single quotes as double. */
export function standardizeString(text: string): string {
  return text.replace(/[ ,./\-_*^]/g, '').toLowerCase().replace(/'/g, '"');
}

/** Python's `==` on JSON values: numbers by value, lists in order, dicts by keys and values. */
export function pythonEquals(left: unknown, right: unknown): boolean {
  if (Array.isArray(left) || Array.isArray(right)) {
    return Array.isArray(left) && Array.isArray(right) && left.length === right.length && left.every((item, index) => pythonEquals(item, right[index]));
  }
  if (isDict(left) || isDict(right)) {
    if (!isDict(left) || !isDict(right)) return false;
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && pythonEquals(left[key], right[key]));
  }
  return left === right;
}

export function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
