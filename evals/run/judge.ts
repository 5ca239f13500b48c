import type { ChatModelSelection } from '../../core/models/select-chat-model.js';
import type { JudgeSettings } from '../suite/suite-schema.js';
import { createChatCaller } from '../targets/chat-caller.js';
import { resolveChatModel } from '../targets/resolve-chat-model.js';
import type { ModelCallCache } from './model-cache.js';

/** The judge LLM-as-judge metrics call: a prompt in, the judge's text out, cached like every model call. */
export interface Judge {
  readonly call: (prompt: string) => Promise<string>;
  readonly modelId: string;
}

/**
 * A judge from the suite's `run.judge` settings. Judge calls use the suite's seed whatever the repeat: a repeat
 * measures the target's variance, not the judge's, and the cache then answers a repeated verdict.
 */
export function createJudge(settings: JudgeSettings, runtimeChat: ChatModelSelection, cache: ModelCallCache, seed: number, env?: NodeJS.ProcessEnv): Judge {
  const { model, modelId } = resolveChatModel(settings, runtimeChat, env);
  const chat = createChatCaller({ model, modelId, cache, temperature: settings.temperature, maxTokens: settings.maxTokens });
  return {
    modelId,
    call: async (prompt) => (await chat.call({ messages: [{ role: 'user', content: prompt }], seed })).text,
  };
}
