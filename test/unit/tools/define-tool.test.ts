import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import { defineTool, isToolDefinition, needsApproval } from '../../../tools/define-tool.js';

const base = { description: 'Echoes its input.', schema: z.object({ text: z.string() }), execute: () => 'ok' };

describe('defineTool', () => {
  it('returns the definition unchanged, marked as a tool', () => {
    const definition = { name: 'echo_text', ...base };
    const defined = defineTool(definition);
    expect(defined).toBe(definition);
    expect(isToolDefinition(defined)).toBe(true);
    expect(isToolDefinition({ name: 'echo_text', ...base })).toBe(false);
    expect(Object.keys(defined)).toEqual(['name', 'description', 'schema', 'execute']);
  });

  it.each(['echo', 'echo_text', 'v2_search', 'a1'])('accepts the snake_case name %s', (name) => {
    expect(() => defineTool({ name, ...base })).not.toThrow();
  });

  it.each(['Echo', 'echoText', 'echo-text', '_echo', 'echo_', 'echo__text', '2echo', '', 'x'.repeat(65), 'echo text'])(
    'rejects the name %j with TOOL_DEFINITION_INVALID',
    (name) => {
      expect(() => defineTool({ name, ...base })).toThrow(expect.objectContaining({ code: 'TOOL_DEFINITION_INVALID' }));
    },
  );

  it('rejects an empty description, a non-object schema and a bad timeout', () => {
    const attempts = [
      () => defineTool({ name: 'echo', ...base, description: ' ' }),
      () => defineTool({ name: 'echo', ...base, schema: z.string() as unknown as z.ZodObject }),
      () => defineTool({ name: 'echo', ...base, timeoutMs: 0 }),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(TrellisError);
      expect(attempt).toThrow(expect.objectContaining({ code: 'TOOL_DEFINITION_INVALID' }));
    }
  });
});

describe('needsApproval', () => {
  it('is false by default, the flag when set, and the predicate of the input otherwise', () => {
    expect(needsApproval(defineTool({ name: 'a', ...base }), { text: 'x' })).toBe(false);
    expect(needsApproval(defineTool({ name: 'b', ...base, needsApproval: true }), { text: 'x' })).toBe(true);
    const risky = defineTool({ name: 'c', ...base, needsApproval: ({ text }) => text.startsWith('rm') });
    expect(needsApproval(risky, { text: 'rm -rf' })).toBe(true);
    expect(needsApproval(risky, { text: 'ls' })).toBe(false);
  });
});
