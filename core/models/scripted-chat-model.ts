import { readFileSync } from 'node:fs';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
  type ToolChoice,
} from '@langchain/core/language_models/chat_models';
import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { z } from 'zod';
import { ERROR_CODES, TrellisError, type TrellisErrorCode } from '../errors.js';

const ScriptedToolCallSchema = z.strictObject({
  name: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
  id: z.string().min(1).optional(),
});

/**
 * `match` (a regular expression) makes a turn answer whenever the last message matches it, out of order; turns
 * without it play in order. Scripts for processes that restart mid-conversation (a resumed thread starts a new
 * model) rely on it, since a position in the script does not survive the restart.
 */
const common = { delayMs: z.number().int().min(0).optional(), match: z.string().min(1).optional() };

/** One model turn: text, tool calls (optionally with text), or a failure; each may be delayed. */
export const ScriptedTurnSchema = z.union([
  z.strictObject({ text: z.string(), ...common }),
  z.strictObject({ toolCalls: z.array(ScriptedToolCallSchema).min(1), text: z.string().optional(), ...common }),
  z.strictObject({ error: z.strictObject({ code: z.string().optional(), message: z.string().min(1) }), ...common }),
]);
export type ScriptedTurn = z.input<typeof ScriptedTurnSchema>;

/** What the scripted model was asked, one entry per call, for tests to assert on. */
export interface ScriptedCall {
  readonly messages: readonly BaseMessage[];
  readonly tools: readonly ReturnType<typeof convertToOpenAITool>[];
  readonly toolChoice: ToolChoice | undefined;
}

/** A turn computed from the request, for scripts that depend on what the model is shown. */
export type ScriptedResponder = (call: ScriptedCall & { readonly index: number }) => ScriptedTurn;

export interface ScriptedChatModelOptions {
  /** Played in order, one per call. */
  turns: readonly (ScriptedTurn | ScriptedResponder)[];
  /** Start over after the last turn instead of failing with MODEL_SCRIPT_EXHAUSTED. */
  loop?: boolean;
  modelId?: string;
}

export interface ScriptedCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
  tool_choice?: ToolChoice;
}

/** How many requests a scripted model keeps for tests to inspect. */
export const MAX_RECORDED_CALLS = 1000;

/**
 * A deterministic chat model that replays a script: text (streamed word by word), tool calls, errors and delays.
 * It is the one stand-in Trellis allows in tests (no real chat weights exist offline), and the provider behind
 * `TRELLIS_CHAT_PROVIDER=scripted` for demos. The latest requests are kept in `calls` (the first
 * {@link MAX_RECORDED_CALLS}, and then the newest), so a server on a scripted model does not grow without bound.
 *
 * @example
 * const model = createScriptedChatModel({ turns: [
 *   { toolCalls: [{ name: 'calculator', args: { expression: '2+2' } }] },
 *   { text: 'It is 4.' },
 * ]});
 */
export class ScriptedChatModel extends BaseChatModel<ScriptedCallOptions> {
  readonly calls: ScriptedCall[] = [];
  private callCount = 0;
  readonly modelId: string;
  private readonly turns: readonly (ScriptedTurn | ScriptedResponder)[];
  private readonly loop: boolean;
  private cursor = 0;

  constructor(options: ScriptedChatModelOptions) {
    super({});
    this.turns = options.turns;
    this.loop = options.loop ?? false;
    this.modelId = options.modelId ?? 'scripted';
  }

  static override lc_name(): string {
    return 'ScriptedChatModel';
  }

  _llmType(): string {
    return 'scripted';
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<ScriptedCallOptions>) {
    return this.withConfig({ tools, ...kwargs });
  }

  async _generate(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    let message: AIMessageChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) {
      message = message ? message.concat(chunk.message as AIMessageChunk) : (chunk.message as AIMessageChunk);
    }
    // A chunk, as LangChain 1.x providers return from invoke: output parsers (withStructuredOutput) insist on one.
    const final = new AIMessageChunk({
      content: message?.content ?? '',
      tool_call_chunks: message?.tool_call_chunks ?? [],
      usage_metadata: message?.usage_metadata,
      response_metadata: { model: this.modelId, finish_reason: message?.tool_calls?.length ? 'tool_calls' : 'stop' },
    });
    return { generations: [{ text: typeof final.content === 'string' ? final.content : '', message: final }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const call: ScriptedCall = {
      messages: [...messages],
      tools: (options.tools ?? []).map((tool) => convertToOpenAITool(tool)),
      toolChoice: options.tool_choice,
    };
    const index = this.callCount;
    this.callCount += 1;
    if (this.calls.length >= MAX_RECORDED_CALLS) this.calls.shift();
    this.calls.push(call);
    const turn = ScriptedTurnSchema.parse(this.nextTurn(call, index));

    if (turn.delayMs) await abortableSleep(turn.delayMs, options.signal);
    throwIfAborted(options.signal);
    if ('error' in turn) {
      const code = turn.error.code && turn.error.code in ERROR_CODES ? (turn.error.code as TrellisErrorCode) : 'MODEL_CALL_FAILED';
      throw new TrellisError(code, turn.error.message);
    }

    const text = turn.text ?? '';
    const words = text.match(/\S+\s*|\s+/g) ?? [];
    for (const word of words) {
      throwIfAborted(options.signal);
      yield new ChatGenerationChunk({ text: word, message: new AIMessageChunk({ content: word }) });
      await runManager?.handleLLMNewToken(word);
      // Yield to the event loop between words so that an abort from another task lands mid-stream, as it would;
      // setImmediate, not a 0 ms timer, which would add a millisecond a word to a "zero-latency" model.
      await yieldToEventLoop();
    }
    const toolCalls = 'toolCalls' in turn ? turn.toolCalls : [];
    const inputTokens = countWords(messages);
    yield new ChatGenerationChunk({
      text: '',
      message: new AIMessageChunk({
        content: '',
        tool_call_chunks: toolCalls.map((toolCall, position) => ({
          type: 'tool_call_chunk' as const,
          id: toolCall.id ?? `call_${index}_${position}`,
          name: toolCall.name,
          args: JSON.stringify(toolCall.args),
          index: position,
        })),
        usage_metadata: { input_tokens: inputTokens, output_tokens: words.length, total_tokens: inputTokens + words.length },
      }),
    });
  }

  private nextTurn(call: ScriptedCall, index: number): ScriptedTurn {
    const lastText = call.messages.at(-1)?.text ?? '';
    const matched = this.turns.find((entry) => typeof entry !== 'function' && entry.match && new RegExp(entry.match).test(lastText));
    if (matched) return matched as ScriptedTurn;
    const sequence = this.turns.filter((entry) => typeof entry === 'function' || !entry.match);
    if (this.cursor >= sequence.length) {
      if (!this.loop || sequence.length === 0) {
        throw new TrellisError('MODEL_SCRIPT_EXHAUSTED', `scripted model has ${sequence.length} turns; call ${index + 1} has none`);
      }
      this.cursor = 0;
    }
    const entry = sequence[this.cursor]!;
    this.cursor += 1;
    return typeof entry === 'function' ? entry({ ...call, index }) : entry;
  }
}

/** Builds a scripted model from turns given in code. */
export function createScriptedChatModel(options: ScriptedChatModelOptions): ScriptedChatModel {
  return new ScriptedChatModel(options);
}

/** Builds a scripted model from a JSON file holding an array of turns (`models.chat.scriptPath`). */
export function loadScriptedChatModel(scriptPath: string): ScriptedChatModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(scriptPath, 'utf8'));
  } catch (error) {
    throw new TrellisError('CONFIG_INVALID', `scripted model file ${scriptPath} is not readable JSON`, { cause: error });
  }
  const turns = z.array(ScriptedTurnSchema).min(1).safeParse(parsed);
  if (!turns.success) {
    throw new TrellisError('CONFIG_INVALID', `scripted model file ${scriptPath} is not a list of turns: ${z.prettifyError(turns.error)}`);
  }
  return new ScriptedChatModel({ turns: turns.data, loop: true, modelId: `scripted:${scriptPath}` });
}

function countWords(messages: readonly BaseMessage[]): number {
  return messages.reduce((sum, message) => sum + (message.text.match(/\S+/g)?.length ?? 0), 0);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrellisError('MODEL_ABORTED', 'scripted model call was aborted', { cause: signal.reason });
}

async function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    throw new TrellisError('MODEL_ABORTED', 'scripted model call was aborted', { cause: error });
  }
}
