import { describe, expect, it } from 'vitest';
import type { BfclFunction } from '../../../evals/datasets/bfcl-function-docs.js';
import { checkCalls } from '../../../evals/metrics/bfcl/ast-checker.js';
import type { ExpectedToolCall, ToolCallRecord } from '../../../evals/types.js';

const area: BfclFunction = {
  name: 'geometry.area',
  description: 'Area of a shape',
  parameters: {
    type: 'dict',
    properties: {
      base: { type: 'float' },
      height: { type: 'integer' },
      unit: { type: 'string' },
      tags: { type: 'array', items: { type: 'string' } },
      box: { type: 'dict', properties: { width: { type: 'integer' } } },
    },
    required: ['base', 'height'],
  },
};
const gold: ExpectedToolCall = {
  name: 'geometry_area',
  acceptable: { base: [10.5], height: [5], unit: ['square meters', 'm2', ''], tags: [['Big Shape'], ''], box: [{ width: [3] }, ''] },
};
const call = (args: Record<string, unknown>, name = 'geometry_area'): ToolCallRecord => ({ name, arguments: args });
const check = (calls: ToolCallRecord[], expected = [gold], functions = [area]) => checkCalls(calls, expected, functions, 'python');

describe('BFCL AST checker (python)', () => {
  it('accepts the gold call, with the dotted name in either spelling and optional arguments left out', () => {
    expect(check([call({ base: 10.5, height: 5 })])).toEqual({ valid: true });
    expect(check([call({ base: 10.5, height: 5 }, 'geometry.area')])).toEqual({ valid: true });
  });

  it('accepts an int for a float parameter, as Python does', () => {
    // BFCL writes the gold as 10.0; a model answering 10 (an int in Python) is converted and accepted.
    expect(check([call({ base: 10, height: 5 })], [{ ...gold, acceptable: { ...gold.acceptable, base: [10.0] } }])).toEqual({ valid: true });
  });

  it('rejects a wrong type: a string or a float for an integer, a number for a string', () => {
    expect(check([call({ base: 10.5, height: '5' })])).toMatchObject({ valid: false, errorType: 'type_error' });
    expect(check([call({ base: 10.5, height: 5.5 })])).toMatchObject({ valid: false, errorType: 'type_error' });
    expect(check([call({ base: 10.5, height: 5, unit: 2 })])).toMatchObject({ valid: false, errorType: 'type_error' });
    expect(check([call({ base: 10.5, height: true })])).toMatchObject({ valid: false, errorType: 'type_error' });
  });

  it('rejects a wrong value', () => {
    expect(check([call({ base: 10.5, height: 6 })])).toMatchObject({ valid: false, errorType: 'value_error' });
    expect(check([call({ base: 10.5, height: 5, unit: 'feet' })])).toMatchObject({ valid: false, errorType: 'value_error' });
  });

  it('compares strings ignoring case, spaces and ,./-_*^ (BFCL standardize_string), lists and dicts recursively', () => {
    expect(check([call({ base: 10.5, height: 5, unit: 'Square-Meters' })])).toEqual({ valid: true });
    expect(check([call({ base: 10.5, height: 5, tags: ['big_shape'] })])).toEqual({ valid: true });
    expect(check([call({ base: 10.5, height: 5, tags: ['big', 'shape'] })])).toMatchObject({ valid: false, errorType: 'value_error' });
    expect(check([call({ base: 10.5, height: 5, box: { width: 3 } })])).toEqual({ valid: true });
    expect(check([call({ base: 10.5, height: 5, box: { width: 4 } })])).toMatchObject({ valid: false });
    expect(check([call({ base: 10.5, height: 5, box: { width: 3, depth: 1 } })])).toMatchObject({ valid: false });
  });

  it('rejects a missing required argument, an unknown one and a missing one that may not be omitted', () => {
    expect(check([call({ base: 10.5 })])).toMatchObject({ valid: false, errorType: 'missing_required' });
    expect(check([call({ base: 10.5, height: 5, colour: 'red' })])).toMatchObject({ valid: false, errorType: 'unexpected_param' });
    const strict = { ...gold, acceptable: { ...gold.acceptable, unit: ['m2'] } };
    expect(check([call({ base: 10.5, height: 5 })], [strict])).toMatchObject({ valid: false, errorType: 'missing_optional' });
  });

  it('matches parallel calls in any order, and needs exactly as many calls as expected', () => {
    const second: ExpectedToolCall = { ...gold, acceptable: { ...gold.acceptable, height: [7] } };
    const calls = [call({ base: 10.5, height: 7 }), call({ base: 10.5, height: 5 })];
    expect(check(calls, [gold, second])).toEqual({ valid: true });
    expect(check([calls[0]!], [gold, second])).toMatchObject({ valid: false, errorType: 'wrong_count' });
    expect(check([calls[1]!, calls[1]!], [gold, second])).toMatchObject({ valid: false, errorType: 'cannot_find_match' });
    expect(check([], [gold])).toMatchObject({ valid: false, errorType: 'wrong_count' });
  });

  it('rejects a call of the wrong function', () => {
    expect(check([call({ base: 10.5, height: 5 }, 'geometry_volume')])).toMatchObject({ valid: false, errorType: 'wrong_func_name' });
  });
});

describe('BFCL AST checker (Java and JavaScript source arguments)', () => {
  const javaDoc: BfclFunction = {
    name: 'Cache.put',
    description: 'Put',
    parameters: {
      type: 'dict',
      properties: {
        ttl: { type: 'long' },
        ratio: { type: 'double' },
        enabled: { type: 'boolean' },
        keys: { type: 'Array', items: { type: 'String' } },
        options: { type: 'HashMap' },
      },
      required: ['ttl'],
    },
  };
  const javaGold: ExpectedToolCall = {
    name: 'Cache_put',
    acceptable: { ttl: [42], ratio: [0.5, ''], enabled: [true, ''], keys: [['a', 'b'], ''], options: [{ limit: [50] }, ''] },
  };
  const java = (args: Record<string, unknown>) => checkCalls([{ name: 'Cache_put', arguments: args }], [javaGold], [javaDoc], 'java');

  it('reads typed Java literals back into values', () => {
    expect(java({ ttl: '42L', ratio: '0.5', enabled: 'true', keys: 'new String[]{"a", "b"}', options: 'new HashMap<String, Object>() {{ put("limit", 50); }}' })).toEqual({ valid: true });
  });

  it('rejects a long without its L, a non-string argument and a wrong element', () => {
    expect(java({ ttl: '42' })).toMatchObject({ valid: false, errorType: 'type_error' });
    expect(java({ ttl: 42 })).toMatchObject({ valid: false, errorType: 'type_error:java' });
    expect(java({ ttl: '42L', keys: 'new String[]{"a", "c"}' })).toMatchObject({ valid: false, errorType: 'value_error' });
  });

  it('reads JavaScript arrays, objects and quoted strings', () => {
    const doc: BfclFunction = {
      name: 'render',
      description: 'Render',
      parameters: { type: 'dict', properties: { sizes: { type: 'array', items: { type: 'float' } }, config: { type: 'dict' }, id: { type: 'String' } }, required: ['sizes'] },
    };
    const expected: ExpectedToolCall = { name: 'render', acceptable: { sizes: [[60, 30]], config: [{ method: ['GET'] }, ''], id: ['main', ''] } };
    const js = (args: Record<string, unknown>) => checkCalls([{ name: 'render', arguments: args }], [expected], [doc], 'javascript');
    expect(js({ sizes: '[60, 30]', config: "{method: 'GET'}", id: '"main"' })).toEqual({ valid: true });
    expect(js({ sizes: '[60, 31]' })).toMatchObject({ valid: false, errorType: 'value_error' });
    expect(js({ sizes: 'sizesArray' })).toMatchObject({ valid: false, errorType: 'type_error' });
  });
});
