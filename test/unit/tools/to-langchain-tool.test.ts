import { AIMessage, ToolMessage } from '@langchain/core/messages';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../../../core/logger.js';
import { defineTool } from '../../../tools/define-tool.js';
import { toLangChainTool } from '../../../tools/to-langchain-tool.js';
import { testLimits, toolContext } from '../../helpers/tool-context.js';

const greet = defineTool({
  name: 'greet_person',
  description: 'Greets a person by name.',
  schema: z.object({
    name: z.string().min(1).describe('Who to greet'),
    times: z.number().int().min(1).max(3).default(1).describe('How many greetings'),
  }),
  needsApproval: (input) => input.times > 2,
  execute: ({ name, times }, { tenantId }) => ({ greeting: Array(times).fill(`hello ${name}`).join(' '), tenantId }),
});

const tenants: string[] = [];
const adapted = toLangChainTool(greet, {
  limits: testLimits,
  context: (config) => {
    const tenantId = String(config.configurable?.tenantId ?? 'default');
    tenants.push(tenantId);
    return { ...toolContext({ tenantId }), logger: silentLogger };
  },
});

describe('toLangChainTool', () => {
  it('gives providers the JSON Schema of the zod schema, descriptions included', () => {
    expect(convertToOpenAITool(adapted)).toEqual({
      type: 'function',
      function: {
        name: 'greet_person',
        description: 'Greets a person by name.',
        parameters: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, description: 'Who to greet' },
            times: { type: 'integer', minimum: 1, maximum: 3, default: 1, description: 'How many greetings' },
          },
          required: ['name'],
          additionalProperties: false,
        },
      },
    });
  });

  it('exposes approval and idempotency as metadata for the graphs layer', () => {
    expect(adapted.metadata).toEqual({ trellis: { needsApproval: 'per-input', idempotent: false } });
  });

  it('returns the output as JSON text, building the context from the run config', async () => {
    const text = await adapted.invoke({ name: 'Ada' }, { configurable: { tenantId: 'acme' } });
    expect(JSON.parse(text as string)).toEqual({ greeting: 'hello Ada', tenantId: 'acme' });
    expect(tenants.at(-1)).toBe('acme');
  });

  it('answers invalid arguments of a tool call with an error ToolMessage the model can act on', async () => {
    const message = await adapted.invoke({ type: 'tool_call', id: 'call_1', name: 'greet_person', args: { name: '', times: 9 } });
    expect(message).toBeInstanceOf(ToolMessage);
    const toolMessage = message as ToolMessage;
    expect(toolMessage.status).toBe('error');
    expect(toolMessage.tool_call_id).toBe('call_1');
    expect(toolMessage.content).toMatch(/^Error TOOL_INPUT_INVALID: invalid arguments for greet_person/);
    expect(toolMessage.content).toContain('\n- name: ');
    expect(toolMessage.content).toContain('\n- times: ');
    expect(toolMessage.artifact).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID' } });
  });

  it('runs inside LangGraph’s ToolNode', async () => {
    const node = new ToolNode([adapted]);
    const call = new AIMessage({ content: '', tool_calls: [{ id: 'call_2', name: 'greet_person', args: { name: 'Lin', times: 2 } }] });
    const { messages } = (await node.invoke({ messages: [call] })) as { messages: ToolMessage[] };
    expect(messages).toHaveLength(1);
    expect(messages[0]?.status).toBe('success');
    expect(JSON.parse(String(messages[0]?.content))).toEqual({ greeting: 'hello Lin hello Lin', tenantId: 'default' });
  });
});
