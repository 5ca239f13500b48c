import { TrellisError } from '../../core/errors.js';
import { createOpenAICompatibleChatModel } from '../../core/models/openai-compatible-chat-model.js';
import type { ChatModelSelection } from '../../core/models/select-chat-model.js';
import type { ChatModel } from '../../core/models/types.js';
import type { JudgeSettings } from '../suite/suite-schema.js';

/**
 * The chat model a suite's target or judge calls: an OpenAI-compatible endpoint when the suite names one (its key
 * read from the variable `apiKeyEnv` names), else the runtime's configured chat model.
 */
export function resolveChatModel(
  endpoint: JudgeSettings,
  runtimeChat: ChatModelSelection,
  env: NodeJS.ProcessEnv = process.env,
): { readonly model: ChatModel; readonly modelId: string } {
  if (endpoint.baseUrl) {
    const modelId = endpoint.model ?? 'default';
    const apiKey = endpoint.apiKeyEnv ? env[endpoint.apiKeyEnv] : undefined;
    if (endpoint.apiKeyEnv && !apiKey) {
      throw new TrellisError('EVAL_TARGET_UNAVAILABLE', `the suite reads the API key for ${endpoint.baseUrl} from ${endpoint.apiKeyEnv}, which is not set`, {
        hint: `Set ${endpoint.apiKeyEnv}, or remove apiKeyEnv for an endpoint without keys.`,
      });
    }
    const model = createOpenAICompatibleChatModel({
      model: modelId,
      baseUrl: endpoint.baseUrl,
      apiKey: apiKey ?? 'none',
      temperature: endpoint.temperature,
      maxTokens: endpoint.maxTokens,
    });
    return { model, modelId: `${endpoint.baseUrl}#${modelId}` };
  }
  if (endpoint.model) {
    throw new TrellisError('EVAL_SUITE_INVALID', `the suite names model ${endpoint.model} without a baseUrl`, {
      hint: 'Add the baseUrl of the OpenAI-compatible endpoint serving it, or remove `model` to use the configured chat model.',
    });
  }
  if (runtimeChat.mode !== 'model') {
    throw new TrellisError('EVAL_TARGET_UNAVAILABLE', 'this suite needs a chat model, and Trellis is in retrieval-only mode', { hint: runtimeChat.notice });
  }
  return { model: runtimeChat.model, modelId: `${runtimeChat.provider}:${runtimeChat.modelId}` };
}
