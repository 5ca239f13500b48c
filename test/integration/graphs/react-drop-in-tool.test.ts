import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { MemorySaver } from '@langchain/langgraph';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinAgents } from '../../../agents/builtin-agents.js';
import { createAgentRegistry } from '../../../agents/registry.js';
import { silentLogger } from '../../../core/logger.js';
import { createScriptedChatModel } from '../../../core/models/scripted-chat-model.js';
import { buildReactGraph } from '../../../graphs/react.js';
import { createBuiltinTools } from '../../../tools/builtin-tools.js';
import { DEFAULT_HTTP_FETCH_SETTINGS } from '../../../tools/http-fetch.js';
import { createToolRegistry } from '../../../tools/registry.js';
import { repoRoot } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { testLimits } from '../../helpers/tool-context.js';
import { contextFrom, openJournal } from './fixtures/react-setup.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

// Files outside the repository import Trellis and zod by absolute path, as a user's folder elsewhere would.
const importPath = (...parts: string[]) => JSON.stringify(path.join(repoRoot, ...parts));

describe('a tool dropped into a tools folder', () => {
  it('is discovered, named by a dropped agent, and called by that agent in the react graph', async () => {
    const tools = makeTempDir('trellis-tools-');
    const agents = makeTempDir('trellis-agents-');
    cleanups.push(tools.remove, agents.remove);
    writeFileSync(path.join(tools.dir, 'reverse-text.ts'), [
      `import { z } from ${importPath('node_modules', 'zod', 'index.js')};`,
      `import { defineTool } from ${importPath('tools', 'define-tool.ts')};`,
      'export default defineTool({',
      "  name: 'reverse_text',",
      "  description: 'Reverses a text.',",
      "  schema: z.object({ text: z.string().describe('The text to reverse') }),",
      '  idempotent: true,',
      "  execute: ({ text }) => ({ reversed: [...text].reverse().join('') }),",
      '});',
    ].join('\n'));
    writeFileSync(path.join(agents.dir, 'mirror.ts'), [
      `import { defineAgent } from ${importPath('agents', 'define-agent.ts')};`,
      'export default defineAgent({',
      "  name: 'mirror',",
      "  description: 'Mirrors texts.',",
      "  instructions: 'Reverse what the user says with reverse_text.',",
      "  tools: ['reverse_text', 'calculator'],",
      '});',
    ].join('\n'));

    const toolRegistry = await createToolRegistry({
      builtins: createBuiltinTools({ httpFetch: DEFAULT_HTTP_FETCH_SETTINGS }),
      directories: [tools.dir],
      logger: silentLogger,
    });
    const agentRegistry = await createAgentRegistry({
      builtins: builtinAgents,
      directories: [agents.dir],
      logger: silentLogger,
      toolNames: new Set(toolRegistry.list().map((tool) => tool.name)),
    });
    expect([toolRegistry.problems, agentRegistry.problems]).toEqual([[], []]);
    const agent = agentRegistry.get('mirror');

    const model = createScriptedChatModel({
      turns: [
        { toolCalls: [{ name: 'reverse_text', args: { text: 'trellis' }, id: 'rev-1' }] },
        ({ messages }) => ({ text: messages.at(-1)!.text }),
      ],
    });
    const { journal, close } = openJournal();
    cleanups.push(close);
    const graph = buildReactGraph({
      agent,
      model,
      tools: agent.tools.map((name) => toolRegistry.get(name)),
      toolContext: contextFrom(),
      limits: testLimits,
      journal,
    }).compile({ checkpointer: new MemorySaver() });
    const result = await graph.invoke({ messages: [new HumanMessage('reverse trellis')] }, { configurable: { thread_id: 't' } });

    const toolMessage = result.messages.find((message: BaseMessage) => ToolMessage.isInstance(message)) as ToolMessage;
    expect(toolMessage).toMatchObject({ name: 'reverse_text', status: 'success', content: '{"reversed":"sillert"}' });
    expect(result.messages.at(-1)!.text).toBe('{"reversed":"sillert"}');
    // The model was offered exactly the agent's tools, with the dropped tool's JSON schema.
    expect(model.calls[0]!.tools.map((tool) => tool.function.name)).toEqual(['reverse_text', 'calculator']);
    expect(model.calls[0]!.tools[0]!.function.parameters).toMatchObject({ properties: { text: { type: 'string' } }, required: ['text'] });
    expect(model.calls[0]!.messages[0]!.text).toBe('Reverse what the user says with reverse_text.');
  });
});
