import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TrellisError } from './errors.js';
import type { Logger } from './logger.js';

// Per kind: the codes of its two problems, the function its files must default-export, and its name in messages.
const KINDS = {
  tool: { loadFailed: 'TOOL_LOAD_FAILED', invalid: 'TOOL_DEFINITION_INVALID', define: 'defineTool', noun: 'a tool' },
  agent: { loadFailed: 'AGENT_LOAD_FAILED', invalid: 'AGENT_DEFINITION_INVALID', define: 'defineAgent', noun: 'an agent' },
} as const;

/** What a folder of definition files holds: one tool, or one agent, per file. */
export type DefinitionKind = keyof typeof KINDS;

/** A definition file (or folder) that was skipped at start-up, for `trellis doctor` to show. */
export interface DefinitionProblem<Kind extends DefinitionKind = DefinitionKind> {
  /** The file (or folder) concerned. */
  readonly file: string;
  readonly code: (typeof KINDS)[Kind]['loadFailed' | 'invalid'];
  readonly message: string;
}

/** A definition and where it came from: a file path, or `built-in` for those shipped in code. */
export interface DiscoveredDefinition<Definition> {
  readonly definition: Definition;
  readonly origin: string;
}

export interface DiscoverDefinitionsOptions<Definition, Kind extends DefinitionKind> {
  /** Folders whose every .ts/.js/.mjs file default-exports one definition; sub-folders are not searched. */
  readonly directories: readonly string[];
  /** Recognises a default export (a `Symbol.for` marker check, so another copy of Trellis still counts). */
  readonly isDefinition: (value: unknown) => value is Definition;
  readonly kind: Kind;
  readonly logger: Logger;
}

export interface DiscoveredDefinitions<Definition, Kind extends DefinitionKind> {
  /** In folder order, then file name order. */
  readonly definitions: readonly DiscoveredDefinition<Definition>[];
  /** Files that were skipped, each with why; each was also logged as a warning. */
  readonly problems: readonly DefinitionProblem<Kind>[];
}

const DEFINITION_FILE = /\.(ts|js|mjs)$/;

/**
 * Imports every definition file of the given folders (the repo runs through tsx, so .ts files load as they are).
 * A folder that cannot be read, a file that fails to import, or one whose default export is not a definition is
 * logged and reported in `problems` instead of stopping the start: one broken file must not take the others down.
 * Registries (tools/registry.ts, agents/registry.ts) add their own checks (duplicates, references) on top.
 *
 * @example
 * const { definitions, problems } = await discoverDefinitions({
 *   directories: ['./my-tools'], isDefinition: isToolDefinition, kind: 'tool', logger,
 * });
 */
export async function discoverDefinitions<Definition, Kind extends DefinitionKind>(
  options: DiscoverDefinitionsOptions<Definition, Kind>,
): Promise<DiscoveredDefinitions<Definition, Kind>> {
  const { kind, logger } = options;
  const definitions: DiscoveredDefinition<Definition>[] = [];
  const problems: DefinitionProblem<Kind>[] = [];
  const skip = (problem: DefinitionProblem<Kind>, cause?: unknown) => {
    problems.push(problem);
    logger.warn({ file: problem.file, code: problem.code, err: cause }, `${kind} file skipped: ${problem.message}`);
  };

  for (const directory of options.directories) {
    for (const file of await definitionFiles(directory, kind, skip)) {
      const loaded = await loadDefinitionFile(file, options);
      if ('definition' in loaded) definitions.push({ definition: loaded.definition, origin: file });
      else skip(loaded.problem, loaded.cause);
    }
  }
  return { definitions, problems };
}

async function definitionFiles<Kind extends DefinitionKind>(
  directory: string,
  kind: Kind,
  skip: (problem: DefinitionProblem<Kind>, cause?: unknown) => void,
): Promise<string[]> {
  const folder = path.resolve(directory);
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && DEFINITION_FILE.test(entry.name) && !entry.name.endsWith('.d.ts'))
      .map((entry) => path.join(folder, entry.name))
      .sort();
  } catch (error) {
    const message = `${kind} folder ${folder} cannot be read: ${reasonOf(error)}`;
    skip({ file: folder, code: codesOf(kind).loadFailed, message }, error);
    return [];
  }
}

type LoadedFile<Definition, Kind extends DefinitionKind> =
  | { definition: Definition }
  | { problem: DefinitionProblem<Kind>; cause?: unknown };

async function loadDefinitionFile<Definition, Kind extends DefinitionKind>(
  file: string,
  { isDefinition, kind }: DiscoverDefinitionsOptions<Definition, Kind>,
): Promise<LoadedFile<Definition, Kind>> {
  const codes = codesOf(kind);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    // A define*() call that rejects its argument throws while the file is imported: that is an invalid definition.
    const code = TrellisError.isInstance(error, codes.invalid) ? codes.invalid : codes.loadFailed;
    return { problem: { file, code, message: `${path.basename(file)} failed to load: ${reasonOf(error)}` }, cause: error };
  }
  if (isDefinition(module.default)) return { definition: module.default };
  const message = `${path.basename(file)} does not default-export ${codes.noun}; write \`export default ${codes.define}({ ... })\``;
  return { problem: { file, code: codes.invalid, message } };
}

// Narrows the table's union of codes to those of one kind, which TypeScript cannot do through a generic index.
function codesOf<Kind extends DefinitionKind>(kind: Kind) {
  return KINDS[kind] as { loadFailed: DefinitionProblem<Kind>['code']; invalid: DefinitionProblem<Kind>['code']; define: string; noun: string };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
