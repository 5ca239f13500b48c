import { describe, expect, it } from 'vitest';
import calculator from '../../../tools/calculator.js';
import { executeTool } from '../../../tools/execute-tool.js';
import { testLimits, toolContext } from '../../helpers/tool-context.js';

const calculate = (expression: string) => executeTool(calculator, { expression }, toolContext(), testLimits);

describe('calculator results', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['10 / 4', 2.5],
    ['17 % 5', 2],
    ['17 mod 5', 2],
    ['50%', 0.5],
    ['2(3 + 4)', 14],
    ['sqrt(16) + cbrt(27)', 7],
    ['abs(-3.5) + round(2.567, 2)', 6.07],
    ['max(1, 9, 4) - min(3, 2)', 7],
    ['log(100, 10) + log10(1000)', 5],
    ['sin(pi / 2) + cos(0)', 2],
    ['0.1 + 0.2', 0.3],
    ['1e3 * 1.5', 1500],
  ])('%s = %s', async (expression, expected) => {
    expect(await calculate(expression)).toEqual({ ok: true, output: { expression, result: expected } });
  });
});

describe('calculator refusals', () => {
  it.each([
    'import({"x": 1}, {override: true})',
    'evaluate("1 + 1")',
    'parse("1")',
    'createUnit("foo")',
    'simplify("x + x")',
    'derivative("x^2", "x")',
    'constructor',
    '__proto__',
    'cos.constructor("return process")()',
    '[1, 2, 3]',
    'a = 5',
    'f(x) = x',
    '"text"',
    '5 cm',
    '3!',
    '1 == 1',
    'true ? 1 : 2',
    '1:10',
    'x',
  ])('refuses %s with TOOL_INPUT_INVALID', async (expression) => {
    expect(await calculate(expression)).toMatchObject({
      ok: false,
      error: { code: 'TOOL_INPUT_INVALID', message: expect.stringMatching(/refused|cannot be parsed/) },
    });
  });

  it.each(['9 ^ 9 ^ 9 ^ 9', '10 ^ 400', '1 / 0', 'sqrt(-1)', '1e400'])('refuses %s: no finite real result', async (expression) => {
    expect(await calculate(expression)).toMatchObject({
      ok: false,
      error: { code: 'TOOL_INPUT_INVALID', message: expect.stringContaining('no finite real result') },
    });
  });

  it('refuses a 10 kB expression at the schema, before parsing', async () => {
    const result = await calculate('1+'.repeat(5_000) + '1');
    expect(result).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID', issues: [{ path: 'expression' }] } });
  });

  it('refuses deep nesting and syntax errors without crashing', async () => {
    expect(await calculate('('.repeat(240) + '1' + ')'.repeat(240))).toEqual({ ok: true, output: expect.objectContaining({ result: 1 }) });
    expect(await calculate('(1 + 2')).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID' } });
    expect(await calculate('1 +* 2')).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID' } });
  });
});
