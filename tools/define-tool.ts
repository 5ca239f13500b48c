import type { z } from 'zod';
import { TrellisError } from '../core/errors.js';
import type { ToolContext } from './tool-context.js';

export type { ToolContext } from './tool-context.js';

/** The input object schema of a tool; the model sees it as JSON Schema, with every `.describe()` text. */
export type ToolSchema = z.ZodObject;

// Method-shaped ("bivariant") so that a definition for a specific schema is still assignable to the registry's
// `AnyToolDefinition`, whose input type is wider.
type Bivariant<Argument, Result> = { call(argument: Argument): Result }['call'];

/** Everything a tool file declares. */
export interface ToolDefinition<Schema extends ToolSchema = ToolSchema, Output = unknown> {
  /** snake_case, at most 64 characters (what every provider's tool calling accepts); unique in the registry. */
  readonly name: string;
  /** What the tool does and when to use it: the model reads this to choose the tool. */
  readonly description: string;
  /** The input; invalid model input is returned to the model as an issue list and never reaches `execute`. */
  readonly schema: Schema;
  /** Runs the tool on validated input. Throw a `TrellisError` for failures the model should see with their code. */
  execute(input: z.output<Schema>, context: ToolContext): Promise<Output> | Output;
  /** True, or a predicate of the input, when a person must approve the call first (the graph pauses for it). */
  readonly needsApproval?: boolean | Bivariant<z.output<Schema>, boolean>;
  /** Overrides the configured `tools.timeoutMs` for this tool. */
  readonly timeoutMs?: number;
  /**
   * True when running the call twice has the same effect as once. Crash recovery re-runs an interrupted idempotent
   * call, and only reports a non-idempotent one. Defaults to false.
   */
  readonly idempotent?: boolean;
}

/** A tool definition of any schema, as the registry holds it. */
export type AnyToolDefinition = ToolDefinition<ToolSchema, unknown>;

// A registry-wide symbol rather than instanceof: a tool file may import another copy of this module.
const TOOL_MARKER = Symbol.for('trellis.tool');

const TOOL_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 64;

/**
 * Declares a tool. Returns the definition unchanged (the function exists for type inference and a start-up check),
 * marked so that the registry recognises a tool file's default export. Throws TOOL_DEFINITION_INVALID for a name
 * that is not snake_case, an empty description, a schema that is not a zod object, or a bad timeout.
 *
 * @example
 * // tools/word-count.ts
 * import { z } from 'zod';
 * import { defineTool } from './define-tool.js';
 *
 * export default defineTool({
 *   name: 'word_count',
 *   description: 'Counts the words of a text.',
 *   schema: z.object({ text: z.string().describe('The text to count the words of') }),
 *   idempotent: true,
 *   execute: ({ text }) => ({ words: text.split(/\s+/).filter(Boolean).length }),
 * });
 */
export function defineTool<Schema extends ToolSchema, Output>(
  definition: ToolDefinition<Schema, Output>,
): ToolDefinition<Schema, Output> {
  assertValidDefinition(definition);
  Object.defineProperty(definition, TOOL_MARKER, { value: true, enumerable: false });
  return definition;
}

/** True for a value returned by `defineTool`, even from another copy of this module. */
export function isToolDefinition(value: unknown): value is AnyToolDefinition {
  return typeof value === 'object' && value !== null && TOOL_MARKER in value;
}

/** Whether this call needs a person's approval before it runs, given its (validated) input. */
export function needsApproval<Schema extends ToolSchema>(
  definition: ToolDefinition<Schema, unknown>,
  input: z.output<Schema>,
): boolean {
  const rule = definition.needsApproval;
  return typeof rule === 'function' ? rule(input) : rule === true;
}

function assertValidDefinition(definition: ToolDefinition<ToolSchema, unknown>): void {
  const invalid = (reason: string) =>
    new TrellisError('TOOL_DEFINITION_INVALID', `tool ${JSON.stringify(definition.name)}: ${reason}`);
  const { name, description, schema, execute, timeoutMs } = definition;
  if (typeof name !== 'string' || !TOOL_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    throw invalid(`name must be snake_case (a-z, 0-9, single underscores, starting with a letter), at most ${MAX_NAME_LENGTH} characters`);
  }
  if (typeof description !== 'string' || description.trim() === '') throw invalid('description must not be empty');
  // Checked by shape, not instanceof: the tool file may have its own copy of zod.
  if (schema?._zod?.def?.type !== 'object') throw invalid('schema must be a zod object, e.g. z.object({ ... })');
  if (typeof execute !== 'function') throw invalid('execute must be a function');
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw invalid(`timeoutMs must be a positive integer, got ${timeoutMs}`);
  }
}
