import { TrellisError } from '../core/errors.js';

/** Everything an agent file declares. Tools and handoffs are names, resolved by the registries at start-up. */
export interface AgentDefinition {
  /** kebab-case or snake_case, at most 64 characters; unique among agents. */
  readonly name: string;
  /** What the agent is for: a supervisor reads this to decide whom to hand a task to. */
  readonly description: string;
  /** The system prompt of every model turn. */
  readonly instructions: string;
  /** Names of the tools the agent may call (see tools/registry.ts). */
  readonly tools: readonly string[];
  /** Names of the agents it may hand a task to. */
  readonly handoffs?: readonly string[];
  /** The knowledge base `knowledge_search` uses when neither the call nor the run names one. */
  readonly knowledgeBase?: string;
}

// A registry-wide symbol rather than instanceof: an agent file may import another copy of this module.
const AGENT_MARKER = Symbol.for('trellis.agent');

const AGENT_NAME = /^[a-z][a-z0-9]*([-_][a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 64;

/**
 * Declares an agent. Returns the definition (frozen, so a registry can share it) marked so that the registry
 * recognises an agent file's default export. Throws AGENT_DEFINITION_INVALID for a name that is neither kebab- nor
 * snake_case, an empty description or instructions, or tool and handoff lists that are not lists of names.
 * Whether those names exist is checked by `createAgentRegistry`, which knows the tools.
 *
 * @example
 * // agents/travel-desk.ts
 * import { defineAgent } from './define-agent.js';
 *
 * export default defineAgent({
 *   name: 'travel-desk',
 *   description: 'Answers travel policy questions from the handbook.',
 *   instructions: 'Answer from the travel policy only, citing passages as [1], [2].',
 *   tools: ['knowledge_search'],
 *   knowledgeBase: 'handbook',
 * });
 */
export function defineAgent(definition: AgentDefinition): AgentDefinition {
  assertValidDefinition(definition);
  const copy: AgentDefinition = {
    ...definition,
    tools: Object.freeze([...definition.tools]),
    ...(definition.handoffs ? { handoffs: Object.freeze([...definition.handoffs]) } : {}),
  };
  Object.defineProperty(copy, AGENT_MARKER, { value: true, enumerable: false });
  return Object.freeze(copy);
}

/** True for a value returned by `defineAgent`, even from another copy of this module. */
export function isAgentDefinition(value: unknown): value is AgentDefinition {
  return typeof value === 'object' && value !== null && AGENT_MARKER in value;
}

function assertValidDefinition(definition: AgentDefinition): void {
  const invalid = (reason: string) =>
    new TrellisError('AGENT_DEFINITION_INVALID', `agent ${JSON.stringify(definition?.name)}: ${reason}`);
  const { name, description, instructions, tools, handoffs, knowledgeBase } = definition;
  if (typeof name !== 'string' || !AGENT_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    throw invalid(`name must be kebab-case or snake_case (a-z, 0-9, single - or _, starting with a letter), at most ${MAX_NAME_LENGTH} characters`);
  }
  if (typeof description !== 'string' || description.trim() === '') throw invalid('description must not be empty');
  if (typeof instructions !== 'string' || instructions.trim() === '') throw invalid('instructions must not be empty');
  if (!isNameList(tools)) throw invalid('tools must be a list of tool names, e.g. [\'knowledge_search\']');
  if (handoffs !== undefined && !isNameList(handoffs)) throw invalid('handoffs must be a list of agent names');
  if (handoffs?.includes(name)) throw invalid('an agent cannot hand off to itself');
  if (knowledgeBase !== undefined && (typeof knowledgeBase !== 'string' || knowledgeBase.trim() === '')) {
    throw invalid('knowledgeBase must be a knowledge base name');
  }
}

function isNameList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');
}
