import type { BindToolsInput, ToolChoice } from '@langchain/core/language_models/chat_models';
import type { RunnableConfig } from '@langchain/core/runnables';

/** One function tool the client declared and runs itself, in OpenAI's shape. */
export interface ClientFunctionTool {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description?: string; readonly parameters?: Record<string, unknown> };
}

/**
 * Tools a client brings to a run (OpenAI's `tools` and `tool_choice`). The model may call them beside the agent's
 * own tools; a call to one ends the run with the model's message, so the client can run it and send the result back
 * in its next request, as OpenAI's API does.
 */
export interface ClientToolSettings {
  readonly tools: readonly ClientFunctionTool[];
  readonly toolChoice?: ToolChoice;
}

/** The client tools a run carries in its config, if any. */
export function clientToolsOf(config: RunnableConfig): ClientToolSettings | undefined {
  const settings = config.configurable?.clientTools as ClientToolSettings | undefined;
  return settings && settings.tools.length > 0 ? settings : undefined;
}

export function clientToolNames(settings: ClientToolSettings | undefined): ReadonlySet<string> {
  return new Set(settings?.tools.map((tool) => tool.function.name) ?? []);
}

export function asBindableTools(settings: ClientToolSettings): BindToolsInput[] {
  return settings.tools.map((tool) => ({ type: 'function', function: { ...tool.function, parameters: tool.function.parameters ?? { type: 'object', properties: {} } } }));
}
