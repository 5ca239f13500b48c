import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../../core/logger.js';
import { createBuiltinTools } from '../../../tools/builtin-tools.js';
import { executeTool } from '../../../tools/execute-tool.js';
import { DEFAULT_HTTP_FETCH_SETTINGS } from '../../../tools/http-fetch.js';
import { createToolRegistry } from '../../../tools/registry.js';
import { repoRoot } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { testLimits, toolContext } from '../../helpers/tool-context.js';

// Dropped files live outside the repository, so they import Trellis and zod by absolute path, as a user's
// tools folder elsewhere on disk would have to (or through the installed package).
const defineToolPath = JSON.stringify(path.join(repoRoot, 'tools', 'define-tool.ts'));
const zodPath = JSON.stringify(path.join(repoRoot, 'node_modules', 'zod', 'index.js'));

function toolSource(name: string, body = `execute: ({ text }) => ({ shouted: text.toUpperCase() }),`): string {
  return [
    `import { z } from ${zodPath};`,
    `import { defineTool } from ${defineToolPath};`,
    `export default defineTool({`,
    `  name: ${JSON.stringify(name)},`,
    `  description: 'Shouts a text.',`,
    `  schema: z.object({ text: z.string().describe('The text') }),`,
    `  ${body}`,
    `});`,
  ].join('\n');
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((remove) => remove()));

function toolsFolder(files: Record<string, string>): string {
  const { dir, remove } = makeTempDir('trellis-tools-');
  cleanups.push(remove);
  for (const [name, source] of Object.entries(files)) writeFileSync(path.join(dir, name), source);
  return dir;
}

const builtins = () => createBuiltinTools({ httpFetch: DEFAULT_HTTP_FETCH_SETTINGS });

describe('createToolRegistry', () => {
  it('registers the built-ins, listed by name', async () => {
    const registry = await createToolRegistry({ builtins: builtins(), logger: silentLogger });
    expect(registry.list().map((tool) => tool.name)).toEqual(['calculator', 'current_time', 'http_fetch', 'knowledge_search']);
    expect(registry.problems).toEqual([]);
    const result = await executeTool(registry.get('calculator'), { expression: '6 * 7' }, toolContext(), testLimits);
    expect(result).toEqual({ ok: true, output: { expression: '6 * 7', result: 42 } });
  });

  it('makes a tool available by dropping one file into a tools folder (.ts and .mjs)', async () => {
    const dir = toolsFolder({
      'shout.ts': toolSource('shout_text'),
      'whisper.mjs': toolSource('whisper_text', `execute: ({ text }) => ({ whispered: text.toLowerCase() }),`),
      'notes.md': '# not a tool file, ignored',
      'types.d.ts': 'export type Ignored = string;',
    });
    const registry = await createToolRegistry({ builtins: builtins(), directories: [dir], logger: silentLogger });
    expect(registry.problems).toEqual([]);
    expect(registry.has('shout_text') && registry.has('whisper_text')).toBe(true);
    const result = await executeTool(registry.get('shout_text'), { text: 'hi' }, toolContext(), testLimits);
    expect(result).toEqual({ ok: true, output: { shouted: 'HI' } });
  });

  it('reports broken files in problems, logs them, and loads the rest', async () => {
    const dir = toolsFolder({
      'good.ts': toolSource('good_tool'),
      'syntax.ts': 'export default defineTool({ name: ',
      'throws.ts': `throw new Error('database not configured');\nexport default 1;`,
      'not-a-tool.ts': 'export default { name: "pretender" };',
      'bad-name.ts': toolSource('BadName'),
    });
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const logger = createLogger({ level: 'warn', pretty: false, destination });
    const registry = await createToolRegistry({ directories: [dir, path.join(dir, 'missing')], logger });

    expect(registry.list().map((tool) => tool.name)).toEqual(['good_tool']);
    const problems = [...registry.problems].sort((a, b) => a.file.localeCompare(b.file));
    expect(problems).toEqual([
      { file: path.join(dir, 'bad-name.ts'), code: 'TOOL_DEFINITION_INVALID', message: expect.stringContaining('snake_case') },
      { file: path.join(dir, 'missing'), code: 'TOOL_LOAD_FAILED', message: expect.stringContaining('cannot be read') },
      { file: path.join(dir, 'not-a-tool.ts'), code: 'TOOL_DEFINITION_INVALID', message: expect.stringContaining('does not default-export a tool') },
      { file: path.join(dir, 'syntax.ts'), code: 'TOOL_LOAD_FAILED', message: expect.stringContaining('syntax.ts failed to load') },
      { file: path.join(dir, 'throws.ts'), code: 'TOOL_LOAD_FAILED', message: expect.stringContaining('database not configured') },
    ]);
    expect(lines).toHaveLength(5);
    expect(lines.join('')).toContain('tool file skipped');
  });

  it('rejects two tools of one name with TOOL_DUPLICATE naming both files', async () => {
    const dir = toolsFolder({ 'a.ts': toolSource('same_name'), 'b.ts': toolSource('same_name') });
    const attempt = createToolRegistry({ directories: [dir], logger: silentLogger });
    await expect(attempt).rejects.toMatchObject({
      code: 'TOOL_DUPLICATE',
      message: `tool same_name is declared twice: in ${path.join(dir, 'a.ts')} and in ${path.join(dir, 'b.ts')}`,
    });
  });

  it('rejects a user tool that takes a built-in name', async () => {
    const dir = toolsFolder({ 'my-calculator.ts': toolSource('calculator') });
    await expect(createToolRegistry({ builtins: builtins(), directories: [dir], logger: silentLogger })).rejects.toMatchObject({
      code: 'TOOL_DUPLICATE',
      message: expect.stringContaining(`built-in and in ${path.join(dir, 'my-calculator.ts')}`),
    });
  });

  it('get() of an unknown name throws TOOL_NOT_FOUND listing the available names', async () => {
    const registry = await createToolRegistry({ builtins: builtins(), logger: silentLogger });
    expect(() => registry.get('web_search')).toThrow(
      expect.objectContaining({
        code: 'TOOL_NOT_FOUND',
        message: 'tool web_search not found; available: calculator, current_time, http_fetch, knowledge_search',
      }),
    );
  });
});
