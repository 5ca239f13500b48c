import { ChatOpenAI } from '@langchain/openai';
import { TrellisError } from '../errors.js';
import type { ChatModel } from './types.js';

export interface OpenAICompatibleChatOptions {
  /** The model id at the endpoint (`gpt-4o-mini`, `Qwen/Qwen2.5-7B-Instruct`, ...). */
  model: string;
  /** Any OpenAI-compatible server: OpenAI, vLLM, Ollama (`http://127.0.0.1:11434/v1`), llama.cpp server. */
  baseUrl?: string;
  /** Local servers usually accept any key; OpenAI itself needs a real one. */
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  /** Retries of retryable failures (429, 5xx, connection resets), with backoff, inside the OpenAI client. */
  maxRetries?: number;
  timeoutMs?: number;
}

/**
 * A chat model on any OpenAI-compatible endpoint, through LangChain's own ChatOpenAI so that tool calling,
 * streaming and structured output behave exactly as LangChain users expect.
 *
 * @example
 * createOpenAICompatibleChatModel({ model: 'qwen2.5:7b', baseUrl: 'http://127.0.0.1:11434/v1', apiKey: 'ollama' });
 */
export function createOpenAICompatibleChatModel(options: OpenAICompatibleChatOptions): ChatModel {
  if (!options.apiKey && !options.baseUrl) {
    throw new TrellisError('MODEL_NOT_CONFIGURED', 'an OpenAI-compatible chat model needs an API key or a base URL', {
      hint: 'Set OPENAI_API_KEY (models.providers.openai.apiKey) or TRELLIS_CHAT_BASE_URL (models.chat.baseUrl).',
    });
  }
  return new ChatOpenAI({
    model: options.model,
    // Servers such as vLLM and llama.cpp ignore the key but the client insists on one.
    apiKey: options.apiKey ?? 'not-needed',
    temperature: options.temperature,
    maxTokens: options.maxTokens,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs,
    streamUsage: true,
    configuration: options.baseUrl ? { baseURL: options.baseUrl } : undefined,
  });
}
