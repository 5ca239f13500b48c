import path from 'node:path';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { BaseLanguageModelInput, ToolDefinition } from '@langchain/core/language_models/base';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import type { UsageMetadata } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { IterableReadableStream } from '@langchain/core/utils/stream';
import {
  LlamaChat,
  type ChatHistoryItem,
  type ChatModelFunctionCall,
  type GbnfJsonSchema,
  type LLamaChatGenerateResponseOptions,
  type LlamaContext,
  type LlamaGrammar,
} from 'node-llama-cpp';
import { TrellisError, toTrellisError } from '../errors.js';
import { acquireModel, loadLlama, releaseModel } from './llama-cpp-runtime.js';
import {
  forcedCallInstruction,
  forcedCallSchema,
  parseForcedCall,
  resolveToolMode,
  toChatModelFunctions,
  toToolCall,
  type ToolMode,
} from './llama-cpp-tools.js';

/** Options of {@link createLlamaCppChatModel}. */
export interface LlamaCppChatModelOptions {
  /** Path of the GGUF file to load; models are shared per resolved path within the process. */
  readonly modelPath: string;
  /**
   * CPU threads used for evaluation. Required because llama.cpp's threads spin while waiting for each other: when
   * they outnumber the cores that are actually free, each token takes 100x longer (measured on 2 busy cores:
   * 0.5 ms per token with 1 thread, 60-250 ms with 2). Use the physical cores left over by everything else.
   */
  readonly threads: number;
  /** Context window in tokens; clamped to the model's training context. Defaults to 4096. */
  readonly contextSize?: number;
  /** Sampling temperature; 0 (the default) decodes greedily, so answers are reproducible. */
  readonly temperature?: number;
  /** Most tokens generated per call. Defaults to 512. */
  readonly maxTokens?: number;
  /** Sampling seed, used when `temperature` is above 0. */
  readonly seed?: number;
  /** Display name reported in `response_metadata.model_name`. Defaults to the file name without `.gguf`. */
  readonly modelId?: string;
}

/** Call options: LangChain's, plus the tools `bindTools` stores in OpenAI format. */
export interface ChatLlamaCppCallOptions extends BaseChatModelCallOptions {
  tools?: ToolDefinition[];
}

const DEFAULT_CONTEXT_SIZE = 4096;
const DEFAULT_MAX_TOKENS = 512;

/**
 * A local GGUF chat model run in-process by node-llama-cpp, as a LangChain chat model so LangGraph, tool binding
 * and callbacks use it unchanged. Calls on one instance run one at a time on a single context sequence, which
 * keeps memory flat and lets a conversation reuse its evaluated prefix. Call `dispose()` to free native memory.
 */
export class ChatLlamaCpp extends BaseChatModel<ChatLlamaCppCallOptions, AIMessageChunk> {
  readonly provider = 'llama-cpp';
  readonly modelId: string;
  readonly modelPath: string;
  private readonly options: LlamaCppChatModelOptions;
  private session: Promise<Session> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  private readonly aborts = new WeakMap<AbortSignal, TrellisError>();

  static override lc_name(): string {
    return 'ChatLlamaCpp';
  }

  constructor(options: LlamaCppChatModelOptions) {
    super({});
    this.options = options;
    this.modelPath = path.resolve(options.modelPath);
    this.modelId = options.modelId ?? path.basename(options.modelPath, '.gguf');
  }

  override _llmType(): string {
    return 'llama-cpp';
  }

  /** Binds tools in OpenAI format; `tool_choice` 'any', 'required' or a tool name forces a grammar-checked call. */
  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<ChatLlamaCppCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, ChatLlamaCppCallOptions> {
    return this.withConfig({ tools: tools.map((tool) => convertToOpenAITool(tool)), ...kwargs });
  }

  override async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const turn = await this.generateTurn(messages, options);
    const message = new AIMessage({
      content: turn.text,
      tool_calls: turn.toolCalls,
      usage_metadata: turn.usage,
      response_metadata: this.responseMetadata(turn),
    });
    return {
      generations: [{ text: turn.text, message, generationInfo: { finish_reason: turn.finishReason } }],
      llmOutput: {
        tokenUsage: {
          promptTokens: turn.usage.input_tokens,
          completionTokens: turn.usage.output_tokens,
          totalTokens: turn.usage.total_tokens,
        },
      },
    };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    // Stops native generation when the consumer leaves the loop early, not only when the caller aborts.
    const stop = new AbortController();
    const pending: string[] = [];
    let wake: (() => void) | undefined;
    let settled = false;
    const onTextChunk = (text: string) => {
      pending.push(text);
      wake?.();
    };
    const turnPromise = this.generateTurn(messages, options, { onTextChunk, stopSignal: stop.signal });
    const markSettled = () => {
      settled = true;
      wake?.();
    };
    turnPromise.then(markSettled, markSettled);
    try {
      while (true) {
        for (let text = pending.shift(); text !== undefined; text = pending.shift()) {
          // A chunk queued before the abort must not reach the caller: they asked for an error, not more text.
          if (options.signal?.aborted) break;
          yield new ChatGenerationChunk({ text, message: new AIMessageChunk({ content: text }) });
          await runManager?.handleLLMNewToken(text);
        }
        if (settled || options.signal?.aborted) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      const turn = await turnPromise;
      yield new ChatGenerationChunk({
        text: '',
        message: new AIMessageChunk({
          content: '',
          tool_call_chunks: turn.toolCalls.map((call, index) => ({
            type: 'tool_call_chunk' as const,
            id: call.id,
            name: call.name,
            args: JSON.stringify(call.args),
            index,
          })),
          usage_metadata: turn.usage,
          response_metadata: this.responseMetadata(turn),
        }),
        generationInfo: { finish_reason: turn.finishReason },
      });
    } finally {
      stop.abort();
    }
  }

  /**
   * Frees the context and, once no other instance uses it, the model. Runs after the calls already queued; a later
   * call loads them again. Safe to call twice.
   */
  async dispose(): Promise<void> {
    // Queued like a call: freeing a context under a running evaluation crashes the native side.
    await this.enqueue(async () => {
      const opened = await this.session?.catch(() => undefined);
      this.session = undefined;
      if (!opened) return;
      opened.chat.dispose();
      await opened.context.dispose();
      await releaseModel(this.modelPath);
    });
  }

  /** Like LangChain's `invoke`, but an aborted call rejects with MODEL_ABORTED once generation has stopped. */
  override async invoke(input: BaseLanguageModelInput, options?: ChatLlamaCppCallOptions): Promise<AIMessageChunk> {
    try {
      return await super.invoke(input, options);
    } catch (error) {
      throw await this.abortedOr(error, options?.signal);
    }
  }

  /** Like LangChain's `stream`, but an aborted stream rejects with MODEL_ABORTED once generation has stopped. */
  override async stream(
    input: BaseLanguageModelInput,
    options?: ChatLlamaCppCallOptions,
  ): Promise<IterableReadableStream<AIMessageChunk>> {
    const signal = options?.signal;
    let chunks: IterableReadableStream<AIMessageChunk>;
    try {
      chunks = await super.stream(input, options);
    } catch (error) {
      throw await this.abortedOr(error, signal);
    }
    const rethrowAborted = (error: unknown) => this.abortedOr(error, signal);
    return IterableReadableStream.fromAsyncGenerator((async function* () {
      try {
        yield* chunks;
      } catch (error) {
        throw await rethrowAborted(error);
      }
    })());
  }

  // LangChain rejects an aborted call with the signal's reason as soon as it notices, before native generation has
  // stopped; waiting for the queue and swapping in the recorded error keeps the code and token count users rely on.
  private async abortedOr(error: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    if (!signal?.aborted || TrellisError.isInstance(error)) return error;
    await this.queue;
    return this.aborts.get(signal) ?? this.recordAbort(signal, error, 0);
  }

  private recordAbort(signal: AbortSignal, cause: unknown, outputTokens: number): TrellisError {
    const error = new TrellisError('MODEL_ABORTED', `local model ${this.modelId} was aborted after ${outputTokens} tokens`, {
      cause,
      details: { outputTokens },
    });
    this.aborts.set(signal, error);
    return error;
  }

  private responseMetadata(turn: Turn): Record<string, string> {
    return { model_name: this.modelId, model_provider: this.provider, finish_reason: turn.finishReason };
  }

  private generateTurn(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    { onTextChunk, stopSignal }: { onTextChunk?: (text: string) => void; stopSignal?: AbortSignal } = {},
  ): Promise<Turn> {
    const mode = resolveToolMode(options.tools, options.tool_choice);
    const callerSignal = options.signal;
    const signals = [callerSignal, stopSignal].filter((signal) => signal !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    return this.enqueue(async () => {
      if (callerSignal?.aborted) throw this.recordAbort(callerSignal, callerSignal.reason, 0);
      const { chat } = await this.openSession();
      const meterBefore = chat.sequence.tokenMeter.getState();
      const generation: GenerationOptions = {
        signal,
        maxTokens: this.options.maxTokens ?? DEFAULT_MAX_TOKENS,
        temperature: this.options.temperature ?? 0,
        seed: this.options.seed,
        customStopTriggers: options.stop,
      };
      let answer: Omit<Turn, 'usage'>;
      try {
        answer = await this.respond(chat, toChatHistory(messages), mode, generation, onTextChunk);
      } catch (error) {
        if (callerSignal?.aborted) {
          throw this.recordAbort(callerSignal, error, chat.sequence.tokenMeter.diff(meterBefore).usedOutputTokens);
        }
        if (TrellisError.isInstance(error)) throw error;
        throw new TrellisError('MODEL_CALL_FAILED', `local model ${this.modelId} failed: ${errorMessage(error)}`, {
          cause: error,
          // node-llama-cpp's usual failure is a prompt (tool documentation included) larger than the context.
          hint: "If the message is about the context size, raise contextSize (up to the model's training context) or shorten the prompt.",
        });
      }
      const used = chat.sequence.tokenMeter.diff(meterBefore);
      return { ...answer, usage: usageOf(used, chat.sequence.nextTokenIndex) };
    });
  }

  private async respond(
    chat: LlamaChat,
    history: ChatHistoryItem[],
    mode: ToolMode,
    generation: GenerationOptions,
    onTextChunk: ((text: string) => void) | undefined,
  ): Promise<Omit<Turn, 'usage'>> {
    if (mode.kind === 'forced') {
      const grammar = await this.grammarFor(mode.tools);
      // The JSON of a forced call is not text for the user, so it is not streamed.
      const response = await chat.generateResponse(
        [{ type: 'system', text: forcedCallInstruction(mode.tools) }, ...history],
        { ...generation, grammar },
      );
      return { text: '', toolCalls: [parseForcedCall(response.response, mode.tools)], finishReason: 'tool_calls' };
    }
    const tools = mode.kind === 'auto' ? mode.tools : [];
    const response = await chat.generateResponse(history, {
      ...generation,
      onTextChunk,
      functions: tools.length > 0 ? toChatModelFunctions(tools) : undefined,
    });
    const toolCalls = (response.functionCalls ?? []).map((call) => toToolCall(call.functionName, call.params, tools));
    return { text: response.response, toolCalls, finishReason: FINISH_REASONS[response.metadata.stopReason] };
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private openSession(): Promise<Session> {
    this.session ??= this.createSession().catch((error: unknown) => {
      this.session = undefined;
      throw error;
    });
    return this.session;
  }

  private async createSession(): Promise<Session> {
    const model = await acquireModel(this.modelPath);
    const contextSize = Math.min(this.options.contextSize ?? DEFAULT_CONTEXT_SIZE, model.trainContextSize);
    try {
      const context = await model.createContext({ contextSize, threads: this.options.threads });
      return { context, chat: new LlamaChat({ contextSequence: context.getSequence() }) };
    } catch (error) {
      await releaseModel(this.modelPath);
      throw toTrellisError(error, 'MODEL_LOAD_FAILED', `cannot create a ${contextSize}-token context for ${this.modelPath}`);
    }
  }

  // Agent loops call with the same tools every turn; compiling their grammar once saves a noticeable pause.
  private grammarFor(tools: readonly ToolDefinition[]): Promise<LlamaGrammar> {
    const schema = forcedCallSchema(tools);
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = loadLlama().then((llama) => llama.createGrammarForJsonSchema<GbnfJsonSchema>(schema));
      grammar.catch(() => this.grammars.delete(key));
      this.grammars.set(key, grammar);
    }
    return grammar;
  }
}

/**
 * Creates a chat model over a local GGUF file. The file is loaded on the first call, not here.
 *
 * @example
 * const model = createLlamaCppChatModel({ modelPath: 'models/qwen2.5-1.5b-instruct-q4_k_m.gguf', threads: 2 });
 * const answer = await model.invoke('Name three rivers.');
 * await model.dispose();
 */
export function createLlamaCppChatModel(options: LlamaCppChatModelOptions): ChatLlamaCpp {
  if (!Number.isInteger(options.threads) || options.threads < 1) {
    throw new TrellisError('CONFIG_INVALID', `llama-cpp threads must be a positive integer, got ${options.threads}`, {
      hint: 'Set threads to the number of physical CPU cores.',
    });
  }
  return new ChatLlamaCpp(options);
}

interface Session {
  readonly context: LlamaContext;
  readonly chat: LlamaChat;
}

type GenerationOptions = Pick<
  LLamaChatGenerateResponseOptions,
  'signal' | 'maxTokens' | 'temperature' | 'seed' | 'customStopTriggers'
>;

interface Turn {
  readonly text: string;
  readonly toolCalls: ToolCall[];
  readonly finishReason: string;
  readonly usage: UsageMetadata;
}

const FINISH_REASONS = {
  eogToken: 'stop',
  stopGenerationTrigger: 'stop',
  customStopTrigger: 'stop',
  functionCalls: 'tool_calls',
  maxTokens: 'length',
  abort: 'abort',
} as const;


function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// The meter counts only tokens evaluated in this call; a prefix reused from the previous call is read from the
// sequence, so input_tokens is the whole prompt as hosted providers report it.
function usageOf(used: { usedInputTokens: number; usedOutputTokens: number }, sequenceLength: number): UsageMetadata {
  const inputTokens = Math.max(used.usedInputTokens, sequenceLength - used.usedOutputTokens);
  return {
    input_tokens: inputTokens,
    output_tokens: used.usedOutputTokens,
    total_tokens: inputTokens + used.usedOutputTokens,
    input_token_details: { cache_read: inputTokens - used.usedInputTokens },
  };
}

/**
 * Maps LangChain messages onto node-llama-cpp's history. node-llama-cpp keeps a tool's result inside the model turn
 * that called it, so each ToolMessage is folded into the AI message whose tool_call id it answers.
 */
export function toChatHistory(messages: readonly BaseMessage[]): ChatHistoryItem[] {
  const results = new Map<string, string>();
  for (const message of messages) {
    if (message.type === 'tool' && 'tool_call_id' in message && typeof message.tool_call_id === 'string') {
      results.set(message.tool_call_id, message.text);
    }
  }
  const calledIds = new Set<string>();
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    const role = message.type === 'generic' && 'role' in message ? String(message.role) : message.type;
    if (role === 'system' || role === 'developer') history.push({ type: 'system', text: message.text });
    else if (role === 'ai' || role === 'assistant') {
      const calls = AIMessage.isInstance(message) ? (message.tool_calls ?? []) : [];
      const functionCalls = calls.map((call): ChatModelFunctionCall => {
        if (call.id) calledIds.add(call.id);
        return { type: 'functionCall', name: call.name, params: call.args, result: call.id ? results.get(call.id) ?? '' : '' };
      });
      history.push({ type: 'model', response: [...(message.text ? [message.text] : []), ...functionCalls] });
    } else if (role === 'tool') {
      const id = 'tool_call_id' in message ? String(message.tool_call_id) : '';
      if (!calledIds.has(id)) history.push({ type: 'user', text: `Tool result: ${message.text}` });
    } else history.push({ type: 'user', text: message.text });
  }
  return history;
}
