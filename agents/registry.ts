import { discoverDefinitions, type DefinitionProblem } from '../core/discover-definitions.js';
import { TrellisError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isAgentDefinition, type AgentDefinition } from './define-agent.js';

/** An agent file that was skipped at start-up (unloadable, not an agent, or naming what does not exist). */
export type AgentProblem = DefinitionProblem<'agent'>;

export interface AgentRegistry {
  /** The agent of that name; throws AGENT_NOT_FOUND listing the names that exist. */
  get(name: string): AgentDefinition;
  has(name: string): boolean;
  /** Every agent, in name order. */
  list(): readonly AgentDefinition[];
  /** Files that were skipped, each with why; the other agents loaded. */
  readonly problems: readonly AgentProblem[];
}

export interface CreateAgentRegistryOptions {
  /** Agents that ship with Trellis (see builtin-agents.ts). */
  readonly builtins?: readonly AgentDefinition[];
  /** Folders whose every .ts/.js/.mjs file default-exports one `defineAgent(...)`; sub-folders are not searched. */
  readonly directories?: readonly string[];
  readonly logger: Logger;
  /** The names in the tool registry: every agent's tools must be among them. */
  readonly toolNames: ReadonlySet<string>;
}

const BUILTIN = 'built-in';

/**
 * Builds the agent registry at start-up: the built-ins, then every agent file of the given folders. Each agent's
 * tool and handoff names are checked against the tools and the other agents. A built-in that names something
 * missing is a Trellis bug and throws AGENT_DEFINITION_INVALID; a user's agent file that does is skipped and
 * reported in `problems` (so are agents handing off to a skipped one), like a broken tool file. Two agents of one
 * name throw AGENT_DEFINITION_INVALID naming both files.
 *
 * @example
 * const agents = await createAgentRegistry({
 *   builtins: builtinAgents, directories: ['./my-agents'], logger, toolNames: new Set(tools.list().map((tool) => tool.name)),
 * });
 * const researcher = agents.get('researcher');
 */
export async function createAgentRegistry(options: CreateAgentRegistryOptions): Promise<AgentRegistry> {
  const { logger, toolNames } = options;
  const agents = new Map<string, { definition: AgentDefinition; origin: string }>();
  const add = (definition: AgentDefinition, origin: string) => {
    const existing = agents.get(definition.name);
    if (existing) {
      throw new TrellisError('AGENT_DEFINITION_INVALID', `agent ${definition.name} is declared twice: in ${existing.origin} and in ${origin}`, {
        details: { agent: definition.name, files: [existing.origin, origin] },
      });
    }
    agents.set(definition.name, { definition, origin });
  };

  for (const definition of options.builtins ?? []) add(definition, BUILTIN);
  const discovered = await discoverDefinitions({
    directories: options.directories ?? [],
    isDefinition: isAgentDefinition,
    kind: 'agent',
    logger,
  });
  for (const { definition, origin } of discovered.definitions) add(definition, origin);

  const problems: AgentProblem[] = [...discovered.problems];
  // Repeated until nothing changes: dropping one agent can break another's handoff to it.
  for (let dropped = true; dropped; ) {
    dropped = false;
    for (const { definition, origin } of [...agents.values()]) {
      const reason = unknownReferences(definition, toolNames, agents);
      if (reason === undefined) continue;
      const message = `agent ${definition.name} names ${reason}`;
      if (origin === BUILTIN) throw new TrellisError('AGENT_DEFINITION_INVALID', message, { details: { agent: definition.name } });
      agents.delete(definition.name);
      problems.push({ file: origin, code: 'AGENT_DEFINITION_INVALID', message });
      logger.warn({ file: origin, code: 'AGENT_DEFINITION_INVALID' }, `agent file skipped: ${message}`);
      dropped = true;
    }
  }
  logger.debug({ agents: [...agents.keys()], problems: problems.length }, 'agents registered');

  const sorted = [...agents.values()].map(({ definition }) => definition).sort((a, b) => a.name.localeCompare(b.name));
  return {
    problems,
    has: (name) => agents.has(name),
    list: () => sorted,
    get(name) {
      const entry = agents.get(name);
      if (entry) return entry.definition;
      const available = sorted.map((definition) => definition.name);
      throw new TrellisError('AGENT_NOT_FOUND', `agent ${name} not found; available: ${available.join(', ') || 'none'}`, {
        details: { agent: name, available },
      });
    },
  };
}

/** What the agent names that does not exist, phrased for the message; undefined when everything exists. */
function unknownReferences(
  definition: AgentDefinition,
  toolNames: ReadonlySet<string>,
  agents: ReadonlyMap<string, unknown>,
): string | undefined {
  const tools = definition.tools.filter((name) => !toolNames.has(name));
  const handoffs = (definition.handoffs ?? []).filter((name) => !agents.has(name));
  const parts = [
    ...(tools.length > 0 ? [`unknown tools ${tools.join(', ')} (available: ${[...toolNames].sort().join(', ') || 'none'})`] : []),
    ...(handoffs.length > 0 ? [`unknown handoff agents ${handoffs.join(', ')}`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : undefined;
}
