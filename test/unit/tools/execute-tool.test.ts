import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import { defineTool } from '../../../tools/define-tool.js';
import { executeTool } from '../../../tools/execute-tool.js';
import { testLimits, toolContext } from '../../helpers/tool-context.js';

const search = defineTool({
  name: 'search_things',
  description: 'Finds things.',
  schema: z.object({
    query: z.string().min(1),
    filter: z.object({ tags: z.array(z.string()) }).optional(),
    topK: z.number().int().max(20).default(5),
  }),
  execute: (input) => ({ received: input }),
});

describe('executeTool input validation', () => {
  it('returns readable issues instead of throwing, and never calls execute', async () => {
    let called = false;
    const tool = defineTool({ ...search, name: 'search_checked', execute: () => (called = true) });
    const result = await executeTool(tool, { query: '', filter: { tags: ['a', 7] }, topK: 50 }, toolContext(), testLimits);
    expect(called).toBe(false);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'TOOL_INPUT_INVALID',
        message: expect.stringContaining('invalid arguments for search_checked'),
        issues: [
          { path: 'query', message: expect.any(String) },
          { path: 'filter.tags[1]', message: expect.stringContaining('string') },
          { path: 'topK', message: expect.any(String) },
        ],
      },
    });
  });

  it('reports a missing input object at (input) and passes parsed values (defaults applied) to execute', async () => {
    const missing = await executeTool(search, 'not an object', toolContext(), testLimits);
    expect(missing).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID', issues: [{ path: '(input)' }] } });
    const result = await executeTool(search, { query: 'q' }, toolContext(), testLimits);
    expect(result).toEqual({ ok: true, output: { received: { query: 'q', topK: 5 } } });
  });
});

describe('executeTool timeout', () => {
  it('aborts the tool signal and returns TOOL_TIMEOUT', async () => {
    let seen: AbortSignal | undefined;
    const slow = defineTool({
      name: 'slow_tool',
      description: 'Waits for its signal.',
      schema: z.object({}),
      timeoutMs: 50,
      execute: (_input, { signal }) => {
        seen = signal;
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    });
    const started = performance.now();
    const result = await executeTool(slow, {}, toolContext(), testLimits);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(result).toEqual({ ok: false, error: { code: 'TOOL_TIMEOUT', message: 'slow_tool did not finish within 50 ms' } });
    expect(seen?.aborted).toBe(true);
    expect(TrellisError.isInstance(seen?.reason, 'TOOL_TIMEOUT')).toBe(true);
  });

  it('returns on time even when the tool ignores its signal, using the configured limit', async () => {
    const stubborn = defineTool({
      name: 'stubborn_tool',
      description: 'Never looks at its signal.',
      schema: z.object({}),
      execute: () => new Promise((resolve) => setTimeout(resolve, 1_000)),
    });
    const result = await executeTool(stubborn, {}, toolContext(), { ...testLimits, timeoutMs: 30 });
    expect(result).toMatchObject({ ok: false, error: { code: 'TOOL_TIMEOUT' } });
  });

  it('rejects with the reason when the caller cancels, and aborts the tool', async () => {
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const waiting = defineTool({
      name: 'waiting_tool',
      description: 'Waits.',
      schema: z.object({}),
      execute: (_input, { signal }) => {
        seen = signal;
        return new Promise(() => undefined);
      },
    });
    const running = executeTool(waiting, {}, toolContext({ signal: caller.signal }), testLimits);
    setTimeout(() => caller.abort(new Error('run cancelled')), 10);
    await expect(running).rejects.toThrow('run cancelled');
    expect(seen?.aborted).toBe(true);
  });
});

describe('executeTool failures', () => {
  const failing = (error: unknown) =>
    defineTool({ name: 'failing_tool', description: 'Fails.', schema: z.object({}), execute: () => Promise.reject(error) });

  it('keeps the code and hint of a TrellisError', async () => {
    const error = new TrellisError('KB_NOT_FOUND', 'knowledge base manuals not found');
    expect(await executeTool(failing(error), {}, toolContext(), testLimits)).toEqual({
      ok: false,
      error: { code: 'KB_NOT_FOUND', message: 'knowledge base manuals not found', hint: error.hint },
    });
  });

  it('turns any other error into TOOL_FAILED with its message', async () => {
    expect(await executeTool(failing(new Error('disk full')), {}, toolContext(), testLimits)).toEqual({
      ok: false,
      error: { code: 'TOOL_FAILED', message: 'failing_tool failed: disk full' },
    });
  });

  it('refuses output that is not JSON with TOOL_FAILED', async () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const tool = defineTool({ name: 'circular_tool', description: 'Loops.', schema: z.object({}), execute: () => circular });
    expect(await executeTool(tool, {}, toolContext(), testLimits)).toMatchObject({ ok: false, error: { code: 'TOOL_FAILED' } });
  });
});

describe('executeTool output limit', () => {
  const big = defineTool({
    name: 'big_tool',
    description: 'Returns a lot.',
    schema: z.object({ size: z.number().int() }),
    execute: ({ size }) => ({ text: 'é'.repeat(size) }),
  });

  it('passes output within the limit through unchanged', async () => {
    expect(await executeTool(big, { size: 10 }, toolContext(), testLimits)).toEqual({ ok: true, output: { text: 'é'.repeat(10) } });
  });

  it('truncates larger output at a character boundary, with a marker saying how much was kept', async () => {
    const result = await executeTool(big, { size: 10_000 }, toolContext(), { ...testLimits, maxOutputBytes: 2_000 });
    if (!result.ok) throw new Error('expected a result');
    const output = result.output as string;
    expect(typeof output).toBe('string');
    expect(Buffer.byteLength(output)).toBeLessThanOrEqual(2_000);
    expect(output.startsWith('{"text":"éé')).toBe(true);
    expect(output).not.toContain('\uFFFD');
    expect(output).toMatch(/…\[output truncated: \d+ of 20011 bytes shown; ask for less to see the rest\]$/);
    expect(result.truncated).toEqual({ totalBytes: 20_011, keptBytes: expect.any(Number) });
  });
});
