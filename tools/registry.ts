import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TrellisError, type TrellisErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isToolDefinition, type AnyToolDefinition } from './define-tool.js';

/** A tool file that was skipped at start-up, for `trellis doctor` to show. */
export interface ToolProblem {
  /** The file (or folder) concerned. */
  readonly file: string;
  readonly code: Extract<TrellisErrorCode, 'TOOL_LOAD_FAILED' | 'TOOL_DEFINITION_INVALID'>;
  readonly message: string;
}

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

const TOOL_FILE = /\.(ts|js|mjs)$/;
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
  const problems: ToolProblem[] = [];

  const add = (definition: AnyToolDefinition, origin: string) => {
    const existing = tools.get(definition.name);
    if (existing) {
      throw new TrellisError('TOOL_DUPLICATE', `tool ${definition.name} is declared twice: in ${existing.origin} and in ${origin}`, {
        details: { tool: definition.name, files: [existing.origin, origin] },
      });
    }
    tools.set(definition.name, { definition, origin });
  };
  const skip = (problem: ToolProblem, cause?: unknown) => {
    problems.push(problem);
    logger.warn({ file: problem.file, code: problem.code, err: cause }, `tool file skipped: ${problem.message}`);
  };

  for (const definition of options.builtins ?? []) add(definition, BUILTIN);
  for (const directory of options.directories ?? []) {
    for (const file of await toolFiles(directory, skip)) {
      const loaded = await loadToolFile(file);
      if ('definition' in loaded) add(loaded.definition, file);
      else skip(loaded.problem, loaded.cause);
    }
  }
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

async function toolFiles(directory: string, skip: (problem: ToolProblem, cause?: unknown) => void): Promise<string[]> {
  const folder = path.resolve(directory);
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && TOOL_FILE.test(entry.name) && !entry.name.endsWith('.d.ts'))
      .map((entry) => path.join(folder, entry.name))
      .sort();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    skip({ file: folder, code: 'TOOL_LOAD_FAILED', message: `tool folder ${folder} cannot be read: ${reason}` }, error);
    return [];
  }
}

type LoadedToolFile = { definition: AnyToolDefinition } | { problem: ToolProblem; cause?: unknown };

async function loadToolFile(file: string): Promise<LoadedToolFile> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const code = TrellisError.isInstance(error, 'TOOL_DEFINITION_INVALID') ? 'TOOL_DEFINITION_INVALID' : 'TOOL_LOAD_FAILED';
    return { problem: { file, code, message: `${path.basename(file)} failed to load: ${reason}` }, cause: error };
  }
  if (isToolDefinition(module.default)) return { definition: module.default };
  const message = `${path.basename(file)} does not default-export a tool; write \`export default defineTool({ ... })\``;
  return { problem: { file, code: 'TOOL_DEFINITION_INVALID', message } };
}
