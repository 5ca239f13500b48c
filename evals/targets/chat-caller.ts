import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { BaseChatModelCallOptions } from '@langchain/core/language_models/chat_models';
import { TrellisError, toTrellisError } from '../../core/errors.js';
import type { ChatModel } from '../../core/models/types.js';
import { requestKey, type ModelCallCache } from '../run/model-cache.js';
import type { FunctionSpec, ToolCallRecord } from '../types.js';

/** A message of a model conversation, in plain JSON so that it can be hashed for the cache. */
export type ChatTurn =
  | { readonly role: 'system' | 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly (ToolCallRecord & { readonly id: string })[] }
  | { readonly role: 'tool'; readonly content: string; readonly toolCallId: string };

export interface ChatReply {
  readonly text: string;
  readonly toolCalls: readonly (ToolCallRecord & { readonly id: string })[];
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** How long the model took; a cached reply keeps the time of the call that filled the cache. */
  readonly latencyMs: number;
}

export interface ChatRequest {
  readonly messages: readonly ChatTurn[];
  readonly tools?: readonly FunctionSpec[];
  readonly seed: number;
  readonly signal?: AbortSignal;
}

/** One model behind the eval cache: a request answered before is not sent again. */
export interface ChatCaller {
  readonly modelId: string;
  call(request: ChatRequest): Promise<ChatReply & { readonly cached: boolean }>;
}

export interface ChatCallerOptions {
  readonly model: ChatModel;
  readonly modelId: string;
  readonly cache?: ModelCallCache;
  /** Part of the cache key: the same messages at another temperature are another request. */
  readonly temperature?: number;
  readonly maxTokens?: number;
}

/**
 * Calls a LangChain chat model with plain-JSON turns and OpenAI-style function specs. The cache key holds the
 * model id, the messages, the tools, the sampling settings and the seed, so repeats (each with its own seed) are
 * real calls and a re-run of the same suite is not.
 */
export function createChatCaller(options: ChatCallerOptions): ChatCaller {
  const { model, modelId, cache } = options;
  return {
    modelId,
    async call(request) {
      const key = requestKey({ modelId, temperature: options.temperature, maxTokens: options.maxTokens, ...request, signal: undefined });
      const hit = cache?.get(key) as ChatReply | undefined;
      if (hit) return { ...hit, cached: true };
      const reply = await invoke(model, request);
      cache?.set(key, modelId, reply);
      return { ...reply, cached: false };
    },
  };
}

async function invoke(model: ChatModel, request: ChatRequest): Promise<ChatReply> {
  const tools = request.tools ?? [];
  let runnable: Pick<ChatModel, 'invoke'> = model;
  if (tools.length > 0) {
    if (!model.bindTools) throw new TrellisError('EVAL_TARGET_UNAVAILABLE', 'the chat model cannot call functions (no tool binding)');
    runnable = model.bindTools(tools.map((tool) => ({ type: 'function' as const, function: { ...tool } })));
  }
  // `seed` is read by OpenAI-compatible providers and ignored by the others.
  const callOptions: Partial<BaseChatModelCallOptions> & { seed: number } = { signal: request.signal, seed: request.seed };
  const started = performance.now();
  let message;
  try {
    message = await runnable.invoke(request.messages.map(toLangChain), callOptions);
  } catch (error) {
    throw toTrellisError(error, 'MODEL_CALL_FAILED', 'the model call failed');
  }
  return {
    text: message.text,
    toolCalls: (message.tool_calls ?? []).map((call, index) => ({ id: call.id ?? `call_${index}`, name: call.name, arguments: call.args })),
    inputTokens: message.usage_metadata?.input_tokens,
    outputTokens: message.usage_metadata?.output_tokens,
    latencyMs: performance.now() - started,
  };
}

function toLangChain(turn: ChatTurn): BaseMessage {
  switch (turn.role) {
    case 'system':
      return new SystemMessage(turn.content);
    case 'user':
      return new HumanMessage(turn.content);
    case 'assistant':
      return new AIMessage({
        content: turn.content,
        tool_calls: (turn.toolCalls ?? []).map((call) => ({ id: call.id, name: call.name, args: { ...call.arguments }, type: 'tool_call' as const })),
      });
    case 'tool':
      return new ToolMessage({ content: turn.content, tool_call_id: turn.toolCallId });
  }
}
