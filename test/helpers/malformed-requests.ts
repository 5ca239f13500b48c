import fc from 'fast-check';
import { fillPath, type ApiOperation, type BodySchema } from './openapi-operations.js';

export const MALFORMATION_KINDS = [
  'wrong-types',
  'missing-fields',
  'huge-string',
  'deep-nesting',
  'prototype-keys',
  'invalid-json',
  'wrong-content-type',
  'oversized-body',
  'odd-path-params',
  'query-junk',
] as const;
export type MalformationKind = (typeof MALFORMATION_KINDS)[number];

/** One hostile request for one operation. */
export interface MalformedRequest {
  readonly kind: MalformationKind;
  readonly operation: ApiOperation;
  /** Path and query, already encoded (on purpose, badly at times). */
  readonly url: string;
  readonly contentType?: string;
  readonly body?: string;
  /**
   * No correct server accepts it: a wrong type or a missing required field, invalid JSON, a body over the limit, an
   * id that cannot exist. The rest (unknown query keys, a huge string where strings are unbounded) a lenient route
   * may accept; it must still never fail with a 5xx.
   */
  readonly mustReject: boolean;
}

export interface MalformedRequestOptions {
  /** The server's `limits.requestBodyBytes`: oversized bodies go over it, the others stay under it. */
  readonly bodyLimitBytes: number;
  /** Ids of resources that exist (a thread, a run, a knowledge base), so that bad bodies also reach handlers that look them up. */
  readonly knownIds?: readonly string[];
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean']);
/** Room left in a body for everything around a huge or deeply nested value. */
const BODY_MARGIN_BYTES = 512;
/** Nesting deep enough to overflow the stack of recursive code (JSON.stringify, deep equality) a few calls down. */
const MIN_DEEP_NESTING = 1000;

/** Ids a route may know (graph and agent names, existing resources) and well-formed ids it cannot know. */
function plausibleId(knownIds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom('rag', 'assistant', 'default', ...knownIds), fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,23}$/));
}

/** Path segments that no route can hold as an id: traversal, bad percent-encoding, control characters, huge. */
const oddSegment = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
  fc.integer({ min: 200, max: 2000 }).map((length) => 'a'.repeat(length)),
  fc.constantFrom(
    '..',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2f',
    '....%2F%2F',
    '%00',
    '%',
    '%zz',
    '%E0%A4%A',
    '%C0%AF',
    '%FF%FE',
    '%F0%9F%92%A9',
    '__proto__',
    'constructor',
    'prototype',
    'hasOwnProperty',
    'null',
    'undefined',
    '-1',
    '%20',
    '*',
  ),
  fc
    .array(fc.constantFrom('%', '%2', '%G1', '%25', 'a', '..', '%2F', '%5C', '~', '!', "'", '(', '$', '@', ';', ','), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.join('')),
);

const queryValue = fc.oneof(
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 10 }).map(encodeURIComponent),
  fc.constantFrom('-1', '0', '1e309', 'NaN', '99999999999999999999999', '', 'null', 'true', '[]', '{}', '%', '%zz', '%00'),
  fc.integer({ min: 1000, max: 4000 }).map((length) => 'x'.repeat(length)),
);
const junkQueryKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', '__proto__[polluted]', 'constructor[prototype][polluted]', 'a[]', 'a[b][c]', '', '%zz'),
  fc.string({ minLength: 1, maxLength: 10 }).map(encodeURIComponent),
);
/** Values that no reading of a number or boolean accepts. */
const notANumber = fc.constantFrom('abc', 'NaN', '1.5.2', '[]', '{}', '0x1g', 'true1');

const anyJson = fc.jsonValue({ maxDepth: 3 });

/**
 * Hostile requests for the given operations: wrong types, missing fields, huge strings, deep nesting,
 * prototype-pollution keys, invalid JSON, wrong content types, oversized bodies, odd path params, query junk.
 */
export function malformedRequests(operations: readonly ApiOperation[], options: MalformedRequestOptions): fc.Arbitrary<MalformedRequest> {
  return fc.constantFrom(...operations).chain((operation) => fc.oneof(...kindsFor(operation, options)));
}

function kindsFor(operation: ApiOperation, options: MalformedRequestOptions): fc.Arbitrary<MalformedRequest>[] {
  const path = plausiblePath(operation, options.knownIds ?? []);
  const kinds = [queryJunk(operation, path)];
  if (operation.pathParams.length > 0) kinds.push(oddPathParams(operation));
  if (BODY_METHODS.has(operation.method)) {
    kinds.push(
      wrongTypes(operation, path),
      missingFields(operation, path),
      hugeString(operation, path, options),
      deepNesting(operation, path, options),
      prototypeKeys(operation, path),
      invalidJson(operation, path),
      wrongContentType(operation, path),
      oversizedBody(operation, path, options),
    );
  }
  return kinds;
}

function plausiblePath(operation: ApiOperation, knownIds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(...operation.pathParams.map(() => plausibleId(knownIds)))
    .map((values) => fillPath(operation.path, (name) => values[operation.pathParams.indexOf(name)]!));
}

function jsonRequest(kind: MalformationKind, operation: ApiOperation, mustReject: boolean) {
  return ([url, body]: [string, string]): MalformedRequest => ({ kind, operation, url, contentType: 'application/json', body, mustReject });
}

function oddPathParams(operation: ApiOperation): fc.Arbitrary<MalformedRequest> {
  return fc.tuple(...operation.pathParams.map(() => oddSegment)).map((values) => ({
    kind: 'odd-path-params',
    operation,
    url: fillPath(operation.path, (name) => values[operation.pathParams.indexOf(name)]!),
    mustReject: true,
  }));
}

function queryJunk(operation: ApiOperation, path: fc.Arbitrary<string>): fc.Arbitrary<MalformedRequest> {
  const typed = operation.queryParams.filter((param) => param.type && param.type !== 'string' && param.type !== 'array');
  const mistyped = typed.length > 0 ? fc.option(fc.tuple(fc.constantFrom(...typed), notANumber), { nil: undefined }) : fc.constant(undefined);
  const names = operation.queryParams.map((param) => param.name);
  const key = names.length > 0 ? fc.oneof(fc.constantFrom(...names), junkQueryKey) : junkQueryKey;
  const pairs = fc.array(fc.tuple(key, queryValue), { minLength: 1, maxLength: 6 });
  return fc.tuple(path, pairs, mistyped).map(([pathname, junk, wrong]) => {
    const all = wrong ? [...junk, [wrong[0].name, wrong[1]] as const] : junk;
    const query = all.map(([name, value]) => `${name}=${value}`).join('&');
    return { kind: 'query-junk', operation, url: `${pathname}?${query}`, mustReject: wrong !== undefined };
  });
}

function wrongTypes(operation: ApiOperation, path: fc.Arbitrary<string>): fc.Arbitrary<MalformedRequest> {
  const properties = Object.entries(operation.jsonBody?.properties ?? {}).filter(([, schema]) => schema.type);
  const topLevel = fc.oneof(fc.array(anyJson, { maxLength: 3 }), fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
  const objectBody = operation.jsonBody?.type === 'object';
  if (properties.length === 0) {
    return fc.tuple(path, topLevel.map((value) => JSON.stringify(value))).map(jsonRequest('wrong-types', operation, objectBody));
  }
  const mistypedProperty = fc
    .constantFrom(...properties)
    .chain(([name, schema]) => wrongValueFor(schema).map((value) => ({ [name]: value })))
    .chain((wrong) =>
      fc.dictionary(fc.constantFrom(...properties.map(([name]) => name)), anyJson, { maxKeys: 3 }).map((others) => ({ ...others, ...wrong })),
    );
  return fc
    .tuple(path, fc.oneof(mistypedProperty, topLevel).map((value) => JSON.stringify(value)))
    .map(jsonRequest('wrong-types', operation, true));
}

function missingFields(operation: ApiOperation, path: fc.Arbitrary<string>): fc.Arbitrary<MalformedRequest> {
  const required = operation.jsonBody?.required ?? [];
  const present = required.length > 0 ? fc.subarray([...required], { maxLength: required.length - 1 }) : fc.constant([]);
  const body = present.chain((names) =>
    fc.tuple(...names.map(() => anyJson)).map((values) => Object.fromEntries(names.map((name, index) => [name, values[index]]))),
  );
  return fc.tuple(path, body.map((value) => JSON.stringify(value))).map(jsonRequest('missing-fields', operation, required.length > 0));
}

function hugeString(operation: ApiOperation, path: fc.Arbitrary<string>, options: MalformedRequestOptions): fc.Arbitrary<MalformedRequest> {
  const budget = options.bodyLimitBytes - BODY_MARGIN_BYTES;
  const strings = Object.entries(operation.jsonBody?.properties ?? {}).filter(([, schema]) => schema.type === 'string' || !schema.type);
  const name = strings.length > 0 ? fc.constantFrom(...strings.map(([property]) => property)) : fc.constant('text');
  // Three-byte characters too: a limit counted in characters instead of bytes lets them through three times over.
  const text = fc.tuple(fc.integer({ min: Math.floor(budget / 4), max: budget }), fc.constantFrom('x', 'é', '語', '\u0000')).map(([bytes, unit]) =>
    unit.repeat(Math.floor(bytes / Buffer.byteLength(JSON.stringify(unit)))),
  );
  const body = fc.tuple(name, text).map(([property, value]) => JSON.stringify({ [property]: value }));
  return fc.tuple(path, body).map(jsonRequest('huge-string', operation, false));
}

function deepNesting(operation: ApiOperation, path: fc.Arbitrary<string>, options: MalformedRequestOptions): fc.Arbitrary<MalformedRequest> {
  const budget = options.bodyLimitBytes - BODY_MARGIN_BYTES;
  // Open fields (metadata, inputs, tool arguments) are where a deep value gets past validation into recursive code.
  const properties = Object.entries(operation.jsonBody?.properties ?? {});
  const open = properties.filter(([, schema]) => !schema.type || schema.type === 'object' || schema.type === 'array');
  const shape = fc.constantFrom({ open: '[', close: ']' }, { open: '{"a":', close: '}' }, { open: '{"__n":[', close: ']}' });
  const nested = shape.chain(({ open: opening, close }) =>
    fc
      .integer({ min: MIN_DEEP_NESTING, max: Math.floor(budget / (opening.length + close.length)) })
      .map((depth) => ({ text: `${opening.repeat(depth)}1${close.repeat(depth)}`, isArray: opening === '[' })),
  );
  const placement = fc.oneof(
    fc.constant(undefined),
    ...(open.length > 0 ? [fc.constantFrom(...open)] : []),
    ...(properties.length > 0 ? [fc.constantFrom(...properties)] : []),
  );
  return fc.tuple(path, nested, placement).map(([url, { text, isArray }, property]) => {
    if (!property) return jsonRequest('deep-nesting', operation, isArray && operation.jsonBody?.type === 'object')([url, text]);
    const [name, schema] = property;
    return jsonRequest('deep-nesting', operation, SCALAR_TYPES.has(schema.type ?? ''))([url, `{${JSON.stringify(name)}:${text}}`]);
  });
}

function prototypeKeys(operation: ApiOperation, path: fc.Arbitrary<string>): fc.Arbitrary<MalformedRequest> {
  const poison = fc.constantFrom(
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"a":[{"__proto__":{"polluted":true}}]}',
  );
  const names = Object.keys(operation.jsonBody?.properties ?? {});
  const placement = names.length > 0 ? fc.option(fc.constantFrom(...names), { nil: undefined }) : fc.constant(undefined);
  return fc
    .tuple(path, poison, placement)
    .map(([url, text, name]) => jsonRequest('prototype-keys', operation, true)([url, name ? `{${JSON.stringify(name)}:${text}}` : text]));
}

function invalidJson(operation: ApiOperation, path: fc.Arbitrary<string>): fc.Arbitrary<MalformedRequest> {
  const fixed = fc.constantFrom('', '{', '{"a":', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '[1,2', '{"a":1}}', '{"a":01}', '"\\x41"', '\u0000');
  // Every proper prefix of a JSON object or array is invalid JSON.
  const truncated = fc
    .oneof(fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { minKeys: 1, maxKeys: 4 }), fc.array(anyJson, { minLength: 1, maxLength: 4 }))
    .map((value) => JSON.stringify(value))
    .chain((text) => fc.integer({ min: 1, max: text.length - 1 }).map((cut) => text.slice(0, cut)));
  const trailing = fc.tuple(anyJson, fc.constantFrom(' x', '}', ',', ']]', ' {}')).map(([value, tail]) => `${JSON.stringify(value)}${tail}`);
  return fc.tuple(path, fc.oneof(fixed, truncated, trailing)).map(jsonRequest('invalid-json', operation, true));
}

function wrongContentType(operation: ApiOperation, path: fc.Arbitrary<string>): fc.Arbitrary<MalformedRequest> {
  const contentType = fc.constantFrom(
    'text/plain',
    'text/html',
    'application/xml',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    'multipart/form-data',
    'multipart/form-data; boundary=fuzz',
    'image/png',
    'application/jsonx',
    'garbage',
  );
  const brokenMultipart = '--fuzz\r\nContent-Disposition: form-data; name="file"; filename="../../x.md"\r\n\r\nhi\r\n--fu';
  const body = fc.oneof(anyJson.map((value) => JSON.stringify(value)), fc.constant(brokenMultipart));
  const mustReject = (operation.jsonBody?.required ?? []).length > 0;
  return fc
    .tuple(path, contentType, body)
    .map(([url, type, text]) => ({ kind: 'wrong-content-type', operation, url, contentType: type, body: text, mustReject }));
}

function oversizedBody(operation: ApiOperation, path: fc.Arbitrary<string>, options: MalformedRequestOptions): fc.Arbitrary<MalformedRequest> {
  const size = fc.integer({ min: options.bodyLimitBytes + 1, max: options.bodyLimitBytes * 2 });
  return fc.tuple(path, size.map((bytes) => JSON.stringify({ text: 'x'.repeat(bytes) }))).map(jsonRequest('oversized-body', operation, true));
}

/** A value whose JSON type the schema's type does not admit. */
function wrongValueFor(schema: BodySchema): fc.Arbitrary<unknown> {
  const candidates: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.string({ maxLength: 20 })],
    ['integer', fc.integer()],
    ['number', fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((value) => !Number.isInteger(value))],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(anyJson, { maxLength: 3 })],
    ['object', fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 })],
  ];
  const admitted = (type: string) =>
    type === schema.type || (schema.type === 'number' && type === 'integer') || (type === 'null' && schema.nullable === true);
  return fc.oneof(...candidates.filter(([type]) => !admitted(type)).map(([, arbitrary]) => arbitrary));
}
