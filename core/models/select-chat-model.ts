import type { TrellisConfig } from '../config.js';
import { defaultAsset } from '../assets/catalogue.js';
import { TrellisError } from '../errors.js';
import { silentLogger } from '../logger.js';
import { resolveCatalogueModel } from './resolve-catalogue-model.js';
import type { ChatModel } from './types.js';

// Providers are imported when chosen, not before: each pulls in a large SDK or a native binding, and start-up
// should pay only for the one in use.

const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-5';

/** The chat model a runtime answers with, or retrieval-only mode with the notice users see instead of answers. */
export type ChatModelSelection =
  | {
      readonly mode: 'model';
      readonly provider: 'openai-compatible' | 'anthropic' | 'llama-cpp' | 'scripted';
      readonly modelId: string;
      readonly model: ChatModel;
    }
  | { readonly mode: 'retrieval-only'; readonly notice: string };

export const RETRIEVAL_ONLY_NOTICE =
  'No chat model is configured, so Trellis answers with the cited passages only. To get written answers, set ' +
  'OPENAI_API_KEY (or TRELLIS_CHAT_BASE_URL for vLLM, Ollama or a llama.cpp server), set ANTHROPIC_API_KEY, or run ' +
  '`trellis models pull qwen2.5-0.5b-instruct` for a local model.';

/**
 * Picks the chat model from settings. With provider `auto` the first available wins: an explicit endpoint, an
 * OpenAI key, an Anthropic key, the cached local GGUF, and else retrieval-only mode; `auto` never fails. A
 * provider named explicitly must work, or start-up fails with a coded error saying what is missing.
 */
export async function selectChatModel(config: TrellisConfig): Promise<ChatModelSelection> {
  const { chat } = config.models;
  const { openai, anthropic } = config.providers;
  const common = { temperature: chat.temperature, maxTokens: chat.maxTokens };
  switch (chat.provider) {
    case 'none':
      return { mode: 'retrieval-only', notice: RETRIEVAL_ONLY_NOTICE };
    case 'scripted': {
      if (!chat.scriptPath) {
        throw new TrellisError('CONFIG_INVALID', 'models.chat.provider is scripted but models.chat.scriptPath is not set', {
          hint: 'Set models.chat.scriptPath (TRELLIS_MODELS__CHAT__SCRIPT_PATH) to a JSON file of turns.',
        });
      }
      const { loadScriptedChatModel } = await import('./scripted-chat-model.js');
      const model = loadScriptedChatModel(chat.scriptPath);
      return { mode: 'model', provider: 'scripted', modelId: model.modelId, model };
    }
    case 'openai-compatible':
      return await openAICompatible();
    case 'anthropic':
      return await anthropicModel();
    case 'llama-cpp':
      return (await localModel(true))!;
    case 'auto':
      if (chat.baseUrl || openai.apiKey || openai.baseUrl) return await openAICompatible();
      if (anthropic.apiKey) return await anthropicModel();
      return (await localModel(false)) ?? { mode: 'retrieval-only', notice: RETRIEVAL_ONLY_NOTICE };
  }

  async function openAICompatible(): Promise<ChatModelSelection> {
    const { createOpenAICompatibleChatModel } = await import('./openai-compatible-chat-model.js');
    const modelId = chat.model ?? DEFAULT_OPENAI_MODEL;
    const model = createOpenAICompatibleChatModel({
      ...common,
      model: modelId,
      baseUrl: chat.baseUrl ?? openai.baseUrl,
      apiKey: chat.apiKey ?? openai.apiKey,
    });
    return { mode: 'model', provider: 'openai-compatible', modelId, model };
  }

  async function anthropicModel(): Promise<ChatModelSelection> {
    const { createAnthropicChatModel } = await import('./anthropic-chat-model.js');
    const modelId = chat.model ?? DEFAULT_ANTHROPIC_MODEL;
    const model = createAnthropicChatModel({
      ...common,
      model: modelId,
      apiKey: chat.apiKey ?? anthropic.apiKey,
      baseUrl: chat.baseUrl ?? anthropic.baseUrl,
    });
    return { mode: 'model', provider: 'anthropic', modelId, model };
  }

  /** The local GGUF, from a path or the catalogue; undefined when not cached and not required. */
  async function localModel(required: boolean): Promise<ChatModelSelection | undefined> {
    const requested = chat.model ?? defaultAsset('chat')?.name;
    if (!requested) return undefined;
    let modelPath: string;
    let contextSize = chat.contextSize;
    if (requested.endsWith('.gguf')) {
      modelPath = requested;
    } else {
      let resolved;
      try {
        resolved = await resolveCatalogueModel(config, { name: requested, kind: 'chat', download: false, logger: silentLogger });
      } catch (error) {
        if (!required && TrellisError.isInstance(error, 'MODEL_UNAVAILABLE')) return undefined;
        throw error;
      }
      modelPath = resolved.files[resolved.entry.model]!;
      contextSize = Math.min(contextSize, resolved.entry.contextSize);
    }
    const { createLlamaCppChatModel } = await import('./llama-cpp.js');
    const model = createLlamaCppChatModel({
      ...common,
      modelPath,
      modelId: requested,
      threads: config.models.threads,
      contextSize,
    });
    return { mode: 'model', provider: 'llama-cpp', modelId: requested, model };
  }
}
