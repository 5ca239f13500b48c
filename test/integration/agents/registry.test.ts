import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinAgents } from '../../../agents/builtin-agents.js';
import { defineAgent } from '../../../agents/define-agent.js';
import { createAgentRegistry } from '../../../agents/registry.js';
import { createLogger, silentLogger } from '../../../core/logger.js';
import { repoRoot } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const defineAgentPath = JSON.stringify(path.join(repoRoot, 'agents', 'define-agent.ts'));
const toolNames = new Set(['calculator', 'current_time', 'http_fetch', 'knowledge_search']);

function agentSource(name: string, fields = `tools: ['calculator']`): string {
  return [
    `import { defineAgent } from ${defineAgentPath};`,
    `export default defineAgent({ name: ${JSON.stringify(name)}, description: 'Test agent.', instructions: 'Help.', ${fields} });`,
  ].join('\n');
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((remove) => remove()));

function agentsFolder(files: Record<string, string>): string {
  const { dir, remove } = makeTempDir('trellis-agents-');
  cleanups.push(remove);
  for (const [name, source] of Object.entries(files)) writeFileSync(path.join(dir, name), source);
  return dir;
}

describe('createAgentRegistry', () => {
  it('registers the built-ins, listed by name', async () => {
    const registry = await createAgentRegistry({ builtins: builtinAgents, logger: silentLogger, toolNames });
    expect(registry.list().map((agent) => agent.name)).toEqual(['assistant', 'researcher', 'supervisor']);
    expect(registry.get('supervisor').handoffs).toEqual(['assistant', 'researcher']);
    expect(registry.problems).toEqual([]);
  });

  it('adds the agents of a folder, which may hand off to built-ins', async () => {
    const dir = agentsFolder({
      'travel-desk.ts': agentSource('travel-desk', `tools: ['knowledge_search'], handoffs: ['researcher'], knowledgeBase: 'handbook'`),
      'README.md': 'not an agent',
    });
    const registry = await createAgentRegistry({ builtins: builtinAgents, directories: [dir], logger: silentLogger, toolNames });
    expect(registry.problems).toEqual([]);
    expect(registry.get('travel-desk')).toMatchObject({ tools: ['knowledge_search'], handoffs: ['researcher'], knowledgeBase: 'handbook' });
  });

  it('skips agent files that fail, or name unknown tools or agents, and reports each', async () => {
    const dir = agentsFolder({
      'good.ts': agentSource('good', `tools: [], handoffs: ['leans-on-broken']`),
      'leans-on-broken.ts': agentSource('leans-on-broken', `tools: [], handoffs: ['broken']`),
      'broken.ts': agentSource('broken', `tools: ['web_search', 'calculator'], handoffs: ['ghost']`),
      'bad-name.ts': agentSource('BadName'),
      'syntax.ts': 'export default defineAgent({',
      'not-an-agent.ts': 'export default { name: "pretender" };',
    });
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const registry = await createAgentRegistry({
      directories: [dir], logger: createLogger({ level: 'warn', pretty: false, destination }), toolNames,
    });
    expect(registry.list()).toEqual([]);
    const problems = [...registry.problems].sort((a, b) => a.file.localeCompare(b.file));
    expect(problems).toEqual([
      { file: path.join(dir, 'bad-name.ts'), code: 'AGENT_DEFINITION_INVALID', message: expect.stringContaining('kebab-case or snake_case') },
      {
        file: path.join(dir, 'broken.ts'),
        code: 'AGENT_DEFINITION_INVALID',
        message: 'agent broken names unknown tools web_search (available: calculator, current_time, http_fetch, knowledge_search); unknown handoff agents ghost',
      },
      { file: path.join(dir, 'good.ts'), code: 'AGENT_DEFINITION_INVALID', message: 'agent good names unknown handoff agents leans-on-broken' },
      { file: path.join(dir, 'leans-on-broken.ts'), code: 'AGENT_DEFINITION_INVALID', message: 'agent leans-on-broken names unknown handoff agents broken' },
      { file: path.join(dir, 'not-an-agent.ts'), code: 'AGENT_DEFINITION_INVALID', message: expect.stringContaining('does not default-export an agent') },
      { file: path.join(dir, 'syntax.ts'), code: 'AGENT_LOAD_FAILED', message: expect.stringContaining('syntax.ts failed to load') },
    ]);
    expect(lines).toHaveLength(6);
    expect(lines.join('')).toContain('agent file skipped');
  });

  it('throws AGENT_DEFINITION_INVALID when a built-in names a missing tool', async () => {
    const attempt = createAgentRegistry({ builtins: builtinAgents, logger: silentLogger, toolNames: new Set(['calculator']) });
    await expect(attempt).rejects.toMatchObject({
      code: 'AGENT_DEFINITION_INVALID',
      message: expect.stringContaining('agent assistant names unknown tools current_time, knowledge_search, http_fetch'),
    });
  });

  it('rejects two agents of one name, naming both origins', async () => {
    const dir = agentsFolder({ 'mine.ts': agentSource('assistant') });
    await expect(createAgentRegistry({ builtins: builtinAgents, directories: [dir], logger: silentLogger, toolNames })).rejects.toMatchObject({
      code: 'AGENT_DEFINITION_INVALID',
      message: `agent assistant is declared twice: in built-in and in ${path.join(dir, 'mine.ts')}`,
    });
  });

  it('get() of an unknown name throws AGENT_NOT_FOUND listing the available names', async () => {
    const registry = await createAgentRegistry({
      builtins: [defineAgent({ name: 'solo', description: 'd', instructions: 'i', tools: [] })], logger: silentLogger, toolNames,
    });
    expect(() => registry.get('ghost')).toThrow(
      expect.objectContaining({ code: 'AGENT_NOT_FOUND', message: 'agent ghost not found; available: solo', details: { agent: 'ghost', available: ['solo'] } }),
    );
  });
});
