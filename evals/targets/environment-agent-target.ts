import { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import type { AnyToolDefinition } from '../../tools/define-tool.js';
import type { EvalCase, EvalDataset, FunctionSpec, ToolCallRecord } from '../types.js';
import type { ChatCaller, ChatTurn } from './chat-caller.js';
import type { EvalTarget } from './target.js';

export interface EnvironmentAgentTargetOptions {
  readonly chat: ChatCaller;
  /** Model calls per case at most; a case that reaches it ends with the answer it has (usually none). */
  readonly maxTurns: number;
  /** Added after the environment's policy in the system message. */
  readonly system?: string;
}

/** What the customer knows about themselves in a tau2 scenario: the agent needs it to find their account. */
const UserScenario = z.object({ instructions: z.looseObject({ known_info: z.string().nullish() }) });

/**
 * The chat model as a tool-using agent inside the dataset's environment (tau2 retail): a fresh environment per
 * case, its policy as the system message, its tools offered as functions, and a loop of model call → tool calls →
 * results until the model answers in text. The customer is not simulated turn by turn: their first message states
 * the reason for the call and what they know (tau2's `known_info`), so the agent can act without asking back.
 */
export function createEnvironmentAgentTarget(options: EnvironmentAgentTargetOptions): EvalTarget {
  const { chat } = options;
  let dataset: EvalDataset | undefined;
  return {
    description: `agent ${chat.modelId} in the dataset's environment`,
    modelId: chat.modelId,
    async prepare(loaded) {
      if (!loaded.environment) {
        throw new TrellisError('EVAL_SUITE_INVALID', `dataset ${loaded.name} has no environment for an agent to act in`, {
          hint: 'Use `environment: dataset` with a tool-using dataset (tau2-retail), or another target kind.',
        });
      }
      dataset = loaded;
    },
    async run(evalCase, context) {
      const started = performance.now();
      const environment = dataset!.environment!(evalCase);
      const functions = environment.tools.map(toFunctionSpec);
      const system = [environment.policy, options.system].filter(Boolean).join('\n\n');
      const messages: ChatTurn[] = [...(system ? [{ role: 'system' as const, content: system }] : []), { role: 'user', content: firstMessage(evalCase) }];
      const toolCalls: ToolCallRecord[] = [];
      const tokens = { input: 0, output: 0 };
      let answer = '';
      for (let turn = 0; turn < options.maxTurns; turn++) {
        context.signal.throwIfAborted();
        const reply = await chat.call({ messages, tools: functions, seed: context.seed, signal: context.signal });
        tokens.input += reply.inputTokens ?? 0;
        tokens.output += reply.outputTokens ?? 0;
        if (reply.toolCalls.length === 0) {
          answer = reply.text;
          break;
        }
        messages.push({ role: 'assistant', content: reply.text, toolCalls: reply.toolCalls });
        for (const call of reply.toolCalls) {
          toolCalls.push({ name: call.name, arguments: call.arguments });
          const result = await environment.call(call);
          messages.push({ role: 'tool', toolCallId: call.id, content: JSON.stringify(result.ok ? result.output : { error: result.error }) });
        }
      }
      return {
        answer,
        toolCalls,
        finalState: environment.snapshot(),
        inputTokens: tokens.input,
        outputTokens: tokens.output,
        latencyMs: performance.now() - started,
      };
    },
    async close() {},
  };
}

function firstMessage(evalCase: EvalCase): string {
  const scenario = UserScenario.safeParse(evalCase.metadata?.userScenario);
  const known = scenario.success ? scenario.data.instructions.known_info : undefined;
  return known ? `${evalCase.input}\n\n${known}` : evalCase.input;
}

function toFunctionSpec(tool: AnyToolDefinition): FunctionSpec {
  const { $schema: _dialect, ...parameters } = z.toJSONSchema(tool.schema, { io: 'input', target: 'draft-7' });
  return { name: tool.name, description: tool.description, parameters };
}
