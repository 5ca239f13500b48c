import { ChatAnthropic } from '@langchain/anthropic';
import { TrellisError } from '../errors.js';
import type { ChatModel } from './types.js';

export interface AnthropicChatOptions {
  /** e.g. `claude-sonnet-4-5`. */
  model: string;
  apiKey?: string;
  /** A proxy or gateway in front of the Anthropic API. */
  baseUrl?: string;
  temperature?: number;
  maxTokens?: number;
  maxRetries?: number;
}

/**
 * A Claude model through LangChain's ChatAnthropic, so tool calling and streaming follow LangChain's conventions.
 *
 * @example
 * createAnthropicChatModel({ model: 'claude-sonnet-4-5', apiKey: process.env.ANTHROPIC_API_KEY });
 */
export function createAnthropicChatModel(options: AnthropicChatOptions): ChatModel {
  if (!options.apiKey) {
    throw new TrellisError('MODEL_NOT_CONFIGURED', 'the Anthropic chat model needs an API key', {
      hint: 'Set ANTHROPIC_API_KEY (models.providers.anthropic.apiKey).',
    });
  }
  return new ChatAnthropic({
    model: options.model,
    apiKey: options.apiKey,
    anthropicApiUrl: options.baseUrl,
    temperature: options.temperature,
    maxTokens: options.maxTokens,
    maxRetries: options.maxRetries ?? 2,
  });
}
