import assistant from './assistant.js';
import type { AgentDefinition } from './define-agent.js';
import researcher from './researcher.js';
import supervisor from './supervisor.js';

/**
 * The agents that ship with Trellis, handed to `createAgentRegistry({ builtins })`. Listed rather than discovered:
 * agents/ also holds the infrastructure (define-agent.ts, registry.ts), and users' folders come from config.
 *
 * @example
 * const agents = await createAgentRegistry({ builtins: builtinAgents, directories: config.agents.dirs, logger, toolNames });
 */
export const builtinAgents: readonly AgentDefinition[] = [assistant, researcher, supervisor];
