import { discoverDefinitions, type DefinitionProblem } from '../core/discover-definitions.js';
import { TrellisError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isToolDefinition, type AnyToolDefinition } from './define-tool.js';

/** A tool file that was skipped at start-up, for `trellis doctor` to show. */
export type ToolProblem = DefinitionProblem<'tool'>;

export interface ToolRegistry {
  /** The tool of that name; throws TOOL_NOT_FOUND listing the names that exist. */
  get(name: string): AnyToolDefinition;
  has(name: string): boolean;
  /** Every tool, in name order. */
  list(): readonly AnyToolDefinition[];
  /** Files that were skipped, each with why; the other tools loaded. */
  readonly problems: readonly ToolProblem[];
}

export interface CreateToolRegistryOptions {
  /** Tools that ship with Trellis (see builtin-tools.ts). */
  readonly builtins?: readonly AnyToolDefinition[];
  /** Folders whose every .ts/.js/.mjs file default-exports one `defineTool(...)`; sub-folders are not searched. */
  readonly directories?: readonly string[];
  readonly logger: Logger;
}

const BUILTIN = 'built-in';

/**
 * Builds the tool registry at start-up: the built-ins, then every tool file of the given folders (imported; the repo
 * runs through tsx, so .ts files load as they are). A file that fails to import or whose default export is not a
 * tool is logged and listed in `problems` instead of stopping the start. Two tools of one name are a TOOL_DUPLICATE
 * error naming both files: silently picking one would make which tool runs depend on file order.
 *
 * @example
 * const registry = await createToolRegistry({ builtins: createBuiltinTools(config.tools), directories: ['./my-tools'], logger });
 * const calculator = registry.get('calculator');
 */
export async function createToolRegistry(options: CreateToolRegistryOptions): Promise<ToolRegistry> {
  const { logger } = options;
  const tools = new Map<string, { definition: AnyToolDefinition; origin: string }>();

  const add = (definition: AnyToolDefinition, origin: string) => {
    const existing = tools.get(definition.name);
    if (existing) {
      throw new TrellisError('TOOL_DUPLICATE', `tool ${definition.name} is declared twice: in ${existing.origin} and in ${origin}`, {
        details: { tool: definition.name, files: [existing.origin, origin] },
      });
    }
    tools.set(definition.name, { definition, origin });
  };

  for (const definition of options.builtins ?? []) add(definition, BUILTIN);
  const { definitions, problems } = await discoverDefinitions({
    directories: options.directories ?? [],
    isDefinition: isToolDefinition,
    kind: 'tool',
    logger,
  });
  for (const { definition, origin } of definitions) add(definition, origin);
  logger.debug({ tools: [...tools.keys()], problems: problems.length }, 'tools registered');

  const sorted = [...tools.values()].map(({ definition }) => definition).sort((a, b) => a.name.localeCompare(b.name));
  return {
    problems,
    has: (name) => tools.has(name),
    list: () => sorted,
    get(name) {
      const entry = tools.get(name);
      if (entry) return entry.definition;
      const available = sorted.map((definition) => definition.name);
      throw new TrellisError('TOOL_NOT_FOUND', `tool ${name} not found; available: ${available.join(', ') || 'none'}`, {
        details: { tool: name, available },
      });
    },
  };
}
