import { describe, expect, it } from 'vitest';
import { inputSchemaOf } from '../../../../tools/mcp/input-schema.js';

describe('inputSchemaOf', () => {
  it('checks arguments as the JSON Schema says (draft-07, as the SDK and most servers emit it)', () => {
    const { schema, checked } = inputSchemaOf({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { city: { type: 'string', maxLength: 20 }, days: { type: 'integer', minimum: 1 } },
      required: ['city'],
      additionalProperties: false,
    });
    expect(checked).toBe(true);
    expect(schema.safeParse({ city: 'Oslo', days: 2 }).success).toBe(true);
    expect(schema.safeParse({ days: 0 }).error?.issues.map((issue) => issue.path.join('.'))).toEqual(['city', 'days']);
  });

  it('follows draft-07 `definitions` references', () => {
    const { schema, checked } = inputSchemaOf({
      type: 'object',
      properties: { unit: { $ref: '#/definitions/Unit' } },
      required: ['unit'],
      definitions: { Unit: { type: 'string', enum: ['c', 'f'] } },
    });
    expect(checked).toBe(true);
    expect(schema.safeParse({ unit: 'k' }).success).toBe(false);
    expect(schema.safeParse({ unit: 'c' }).success).toBe(true);
  });

  it('falls back to any object, saying so, when the top level is not an object schema', () => {
    const converted = inputSchemaOf({ anyOf: [{ type: 'object' }, { type: 'string' }] });
    expect(converted).toMatchObject({ checked: false, problem: expect.stringContaining('not a plain object schema') });
    expect(converted.schema.safeParse({ anything: 1 }).success).toBe(true);
  });
});
