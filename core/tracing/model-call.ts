import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatGeneration, LLMResult } from '@langchain/core/outputs';

/** USD per million tokens (a `tracing.prices` entry). */
export interface ModelPrice {
  readonly inputPerMillionTokens: number;
  readonly outputPerMillionTokens: number;
}

/** What a model call's start says about the model asked for. */
export interface ModelRequest {
  readonly model: string;
  /** The provider, as LangChain names it (`openai`, `anthropic`, ...), when it says. */
  readonly system: string | undefined;
}

/** What a model call's end says: the model that answered, tokens, why it stopped, and the message. */
export interface ModelResponse {
  readonly model: string | undefined;
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
  readonly finishReasons: readonly string[];
  readonly message: BaseMessage | undefined;
  readonly text: string;
}

type Params = Record<string, unknown> | undefined;

/**
 * The model a call asks for: from the invocation parameters (`model`, `model_name`), LangSmith's `ls_model_name`
 * metadata, the serialised constructor arguments, or else the model class (a scripted or local model names none).
 */
export function modelRequestOf(llm: Serialized, extraParams: Params, metadata: Params): ModelRequest {
  const invocation = extraParams?.invocation_params as Params;
  const kwargs = (llm as { kwargs?: Params }).kwargs;
  const model =
    stringOf(invocation?.model) ??
    stringOf(invocation?.model_name) ??
    stringOf(metadata?.ls_model_name) ??
    stringOf(kwargs?.model) ??
    stringOf(kwargs?.model_name) ??
    llm.id.at(-1) ??
    'unknown';
  return { model, system: stringOf(metadata?.ls_provider) };
}

/** Token usage from the message's `usage_metadata` (LangChain's standard) or the provider's `llmOutput`. */
export function modelResponseOf(result: LLMResult): ModelResponse {
  const generations = result.generations.flat() as Partial<ChatGeneration>[];
  const first = generations[0];
  const message = first?.message;
  const usage = (message as { usage_metadata?: { input_tokens?: number; output_tokens?: number } } | undefined)?.usage_metadata;
  const llmOutput = result.llmOutput as Params;
  const tokenUsage = (llmOutput?.tokenUsage ?? llmOutput?.usage ?? llmOutput?.token_usage) as Params;
  const responseMetadata = message?.response_metadata as Params;
  const finishReasons = generations
    .map((generation) => {
      const info = generation.generationInfo as Params;
      const metadata = generation.message?.response_metadata as Params;
      return stringOf(info?.finish_reason) ?? stringOf(metadata?.finish_reason) ?? stringOf(metadata?.stop_reason);
    })
    .filter((reason): reason is string => reason !== undefined);
  return {
    model: stringOf(responseMetadata?.model_name) ?? stringOf(responseMetadata?.model) ?? stringOf(llmOutput?.model_name) ?? stringOf(llmOutput?.model),
    inputTokens: numberOf(usage?.input_tokens) ?? numberOf(tokenUsage?.promptTokens) ?? numberOf(tokenUsage?.input_tokens) ?? numberOf(tokenUsage?.prompt_tokens),
    outputTokens:
      numberOf(usage?.output_tokens) ?? numberOf(tokenUsage?.completionTokens) ?? numberOf(tokenUsage?.output_tokens) ?? numberOf(tokenUsage?.completion_tokens),
    finishReasons,
    message,
    text: first?.text ?? '',
  };
}

/** The estimated cost of a call in USD, split as Langfuse's `cost_details` wants it. */
export function costOf(price: ModelPrice, inputTokens: number, outputTokens: number): { input: number; output: number; total: number } {
  const input = (inputTokens * price.inputPerMillionTokens) / 1_000_000;
  const output = (outputTokens * price.outputPerMillionTokens) / 1_000_000;
  return { input, output, total: input + output };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
