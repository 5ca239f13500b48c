import type { FunctionSpec } from '../types.js';
import type { ChatCaller, ChatTurn } from './chat-caller.js';
import { casePrompt } from './case-prompt.js';
import type { EvalTarget } from './target.js';

export interface ModelTargetOptions {
  readonly chat: ChatCaller;
  /** The system message, when the suite gives one. */
  readonly system?: string;
}

/**
 * A bare chat model: the case's passages and question in, its text (or, when the case offers functions, the calls
 * it makes) out. Function names are made safe for OpenAI-style APIs (BFCL's `math.factorial` becomes
 * `math_factorial`) and mapped back before scoring.
 */
export function createModelTarget(options: ModelTargetOptions): EvalTarget {
  const { chat } = options;
  return {
    description: `model ${chat.modelId}`,
    modelId: chat.modelId,
    async run(evalCase, context) {
      const { tools, originalName } = safeFunctionNames(evalCase.functions ?? []);
      const messages: ChatTurn[] = [];
      if (options.system) messages.push({ role: 'system', content: options.system });
      messages.push({ role: 'user', content: casePrompt(evalCase) });
      const reply = await chat.call({ messages, tools, seed: context.seed, signal: context.signal });
      return {
        answer: reply.text,
        toolCalls: tools.length === 0 ? undefined : reply.toolCalls.map((call) => ({ name: originalName(call.name), arguments: call.arguments })),
        inputTokens: reply.inputTokens,
        outputTokens: reply.outputTokens,
        latencyMs: reply.latencyMs,
      };
    },
    async close() {},
  };
}

/** OpenAI-style APIs allow `[a-zA-Z0-9_-]{1,64}` in function names. */
function safeFunctionNames(functions: readonly FunctionSpec[]): { tools: FunctionSpec[]; originalName: (name: string) => string } {
  const bySafeName = new Map<string, string>();
  const tools = functions.map((spec) => {
    const safe = spec.name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
    bySafeName.set(safe, spec.name);
    return { ...spec, name: safe };
  });
  return { tools, originalName: (name) => bySafeName.get(name) ?? name };
}
