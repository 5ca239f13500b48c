import { ToolMessage } from '@langchain/core/messages';
import { DynamicStructuredTool, type ToolSchemaBase, type ToolRunnableConfig } from '@langchain/core/tools';
import { z } from 'zod';
import type { AnyToolDefinition } from './define-tool.js';
import { executeTool, type ToolLimits, type ToolResult } from './execute-tool.js';
import type { ToolContext } from './tool-context.js';

/** What the graphs layer reads from `tool.metadata.trellis` to decide whether to pause for approval. */
export interface TrellisToolMetadata {
  /** `per-input`: ask `needsApproval(definition, input)` from define-tool.ts for each call. */
  readonly needsApproval: boolean | 'per-input';
  readonly idempotent: boolean;
}

export interface ToLangChainToolOptions {
  /**
   * Builds the narrow context of one call from LangGraph's run config (tenant and thread live in its
   * `configurable`). The signal is added by the adapter: the run's own, so cancelling the run cancels the tool.
   */
  readonly context: (config: ToolRunnableConfig) => Omit<ToolContext, 'signal'>;
  readonly limits: ToolLimits;
}

/** A Trellis tool as LangChain sees it: raw arguments in, text (or a ToolMessage inside a tool call) out. */
export type TrellisLangChainTool = DynamicStructuredTool<ToolSchemaBase, unknown, unknown, string | ToolMessage>;

/**
 * Adapts a Trellis tool to a LangChain `StructuredTool`, for `bindTools` and LangGraph's `ToolNode`.
 *
 * LangChain validates zod and JSON-Schema tool inputs itself and throws on a mismatch, which would bypass the readable
 * issue list `executeTool` returns. So the tool's schema is handed over as a Standard JSON Schema: providers get the
 * real JSON Schema from `~standard.jsonSchema`, its `validate` accepts the raw arguments, and validation happens
 * once, in `executeTool`.
 *
 * Every result becomes text the model can act on; inside a tool call the adapter returns a `ToolMessage` whose
 * `status` is `error` for failures and whose `artifact` is the structured `ToolResult` (for traces and citations).
 */
export function toLangChainTool(definition: AnyToolDefinition, options: ToLangChainToolOptions): TrellisLangChainTool {
  const metadata: TrellisToolMetadata = {
    needsApproval: typeof definition.needsApproval === 'function' ? 'per-input' : definition.needsApproval === true,
    idempotent: definition.idempotent === true,
  };
  return new DynamicStructuredTool<ToolSchemaBase, unknown, unknown, string | ToolMessage>({
    name: definition.name,
    description: definition.description,
    schema: standardJsonSchemaOf(definition),
    metadata: { trellis: metadata },
    func: async (input: unknown, _runManager, config?: ToolRunnableConfig) => {
      const runConfig = config ?? {};
      const context: ToolContext = {
        ...options.context(runConfig),
        signal: runConfig.signal ?? new AbortController().signal,
      };
      const result = await executeTool(definition, input, context, options.limits);
      const content = toolResultText(result);
      const toolCallId = runConfig.toolCall?.id;
      if (toolCallId === undefined) return content;
      return new ToolMessage({
        content,
        artifact: result,
        tool_call_id: toolCallId,
        name: definition.name,
        status: result.ok ? 'success' : 'error',
      });
    },
  });
}

/**
 * The text a model reads for a result: the output itself (JSON unless it is a string), or the error's code, message,
 * issues and hint, phrased so the model can fix its call or choose another path.
 *
 * @example
 * toolResultText({ ok: false, error: { code: 'TOOL_INPUT_INVALID', message: 'invalid arguments for calculator',
 *   issues: [{ path: 'expression', message: 'Too small: expected string to have >=1 characters' }] } });
 * // Error TOOL_INPUT_INVALID: invalid arguments for calculator
 * // - expression: Too small: expected string to have >=1 characters
 */
export function toolResultText(result: ToolResult): string {
  if (result.ok) return typeof result.output === 'string' ? result.output : JSON.stringify(result.output ?? null);
  const { code, message, issues, hint } = result.error;
  const lines = [`Error ${code}: ${message}`];
  for (const issue of issues ?? []) lines.push(`- ${issue.path}: ${issue.message}`);
  if (hint) lines.push(`Hint: ${hint}`);
  return lines.join('\n');
}

/** The Standard JSON Schema shape (standardschema.dev) LangChain reads a tool's JSON Schema from. */
export interface StandardJsonSchema {
  /** Also makes the object a (keyword-free) JSON Schema to LangChain's types, which accept either kind. */
  readonly description: string;
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => { readonly value: unknown };
    readonly jsonSchema: {
      readonly input: (options?: unknown) => Record<string, unknown>;
      readonly output: (options?: unknown) => Record<string, unknown>;
    };
  };
}

function standardJsonSchemaOf(definition: AnyToolDefinition): StandardJsonSchema {
  // The input side: fields with defaults are optional to the model. Strict, as LangChain makes zod schemas, so the
  // model is told not to invent fields. No `$schema` key: some providers reject it.
  const strict = definition.schema.strict();
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(strict, { io: 'input', target: 'draft-7' });
  return {
    description: definition.description,
    '~standard': {
      version: 1,
      vendor: 'trellis',
      validate: (value) => ({ value }),
      jsonSchema: { input: () => jsonSchema, output: () => jsonSchema },
    },
  };
}
