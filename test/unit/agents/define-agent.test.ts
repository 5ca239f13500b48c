import { describe, expect, it } from 'vitest';
import { builtinAgents } from '../../../agents/builtin-agents.js';
import { defineAgent, isAgentDefinition, type AgentDefinition } from '../../../agents/define-agent.js';

const valid: AgentDefinition = {
  name: 'travel-desk',
  description: 'Answers travel questions.',
  instructions: 'Answer from the travel policy.',
  tools: ['knowledge_search'],
};

describe('defineAgent', () => {
  it('returns a frozen, marked copy of the definition', () => {
    const agent = defineAgent({ ...valid, handoffs: ['researcher'], knowledgeBase: 'handbook' });
    expect(agent).toEqual({ ...valid, handoffs: ['researcher'], knowledgeBase: 'handbook' });
    expect(isAgentDefinition(agent)).toBe(true);
    expect(isAgentDefinition({ ...valid })).toBe(false);
    expect(Object.isFrozen(agent) && Object.isFrozen(agent.tools)).toBe(true);
  });

  it.each(['travel-desk', 'travel_desk', 'a1'])('accepts the kebab or snake name %s', (name) => {
    expect(defineAgent({ ...valid, name }).name).toBe(name);
  });

  it.each([
    [{ name: 'TravelDesk' }, 'kebab-case or snake_case'],
    [{ name: 'travel--desk' }, 'kebab-case or snake_case'],
    [{ name: '1travel' }, 'kebab-case or snake_case'],
    [{ description: ' ' }, 'description must not be empty'],
    [{ instructions: '' }, 'instructions must not be empty'],
    [{ tools: 'knowledge_search' }, 'tools must be a list'],
    [{ handoffs: [''] }, 'handoffs must be a list'],
    [{ handoffs: ['travel-desk'] }, 'cannot hand off to itself'],
    [{ knowledgeBase: '' }, 'knowledgeBase'],
  ])('rejects %j with AGENT_DEFINITION_INVALID', (change, reason) => {
    expect(() => defineAgent({ ...valid, ...(change as Partial<AgentDefinition>) })).toThrow(
      expect.objectContaining({ code: 'AGENT_DEFINITION_INVALID', message: expect.stringContaining(reason) }),
    );
  });
});

describe('builtinAgents', () => {
  it('ships the assistant, the researcher and the supervisor', () => {
    expect(builtinAgents.map(({ name, tools, handoffs }) => ({ name, tools, handoffs }))).toEqual([
      { name: 'assistant', tools: ['calculator', 'current_time', 'knowledge_search', 'http_fetch'], handoffs: undefined },
      { name: 'researcher', tools: ['knowledge_search'], handoffs: undefined },
      { name: 'supervisor', tools: [], handoffs: ['assistant', 'researcher'] },
    ]);
    expect(builtinAgents.find((agent) => agent.name === 'researcher')!.instructions).toMatch(/\[1\]/);
  });
});
