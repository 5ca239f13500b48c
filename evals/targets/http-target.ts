import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import type { RetrievedPassage } from '../types.js';
import { casePrompt } from './case-prompt.js';
import { datasetDocumentId } from './document-id.js';
import type { EvalTarget } from './target.js';

export interface HttpTargetOptions {
  /** The Trellis server's base URL (`http://127.0.0.1:3700`); `/v1` is added. */
  readonly url: string;
  /** An agent or graph name from `GET /v1/models`. */
  readonly model: string;
  readonly apiKey: string;
  readonly kb?: string;
  readonly timeoutMs: number;
}

/** Trellis's extension of a completion: the run it made and the passages its answer cites. */
const TrellisExtension = z.looseObject({
  run_id: z.string(),
  citations: z.array(z.looseObject({ documentId: z.string(), text: z.string().optional() })).default([]),
});

/**
 * A running Trellis over its OpenAI-compatible API, as any OpenAI client would call it: one self-contained chat
 * completion per case, with the key in `Authorization`. Citations in the `trellis` extension become the retrieved
 * passages.
 */
export function createHttpTarget(options: HttpTargetOptions): EvalTarget {
  const client = new OpenAI({ baseURL: `${options.url.replace(/\/+$/, '')}/v1`, apiKey: options.apiKey, timeout: options.timeoutMs, maxRetries: 1 });
  return {
    description: `http ${options.model} at ${options.url}`,
    async run(evalCase, context) {
      const started = performance.now();
      const body: ChatCompletionCreateParamsNonStreaming & { kb?: string } = {
        model: options.model,
        messages: [{ role: 'user', content: casePrompt(evalCase) }],
        seed: context.seed,
        ...(options.kb ? { kb: options.kb } : {}),
      };
      let completion: OpenAI.Chat.Completions.ChatCompletion;
      try {
        completion = await client.chat.completions.create(body, { signal: context.signal });
      } catch (error) {
        throw unavailable(options, error);
      }
      const message = completion.choices[0]?.message;
      const extension = TrellisExtension.safeParse((completion as unknown as { trellis?: unknown }).trellis);
      const retrieved: RetrievedPassage[] | undefined = extension.success
        ? extension.data.citations.map((citation) => ({ id: datasetDocumentId(citation.documentId), text: citation.text }))
        : undefined;
      return {
        answer: message?.content ?? '',
        toolCalls: message?.tool_calls?.flatMap((call) => (call.type === 'function' ? [{ name: call.function.name, arguments: parseArguments(call.function.arguments) }] : [])),
        retrieved,
        inputTokens: completion.usage?.prompt_tokens,
        outputTokens: completion.usage?.completion_tokens,
        latencyMs: performance.now() - started,
      };
    },
    async close() {},
  };
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function unavailable(options: HttpTargetOptions, error: unknown): TrellisError {
  const status = error instanceof OpenAI.APIError ? error.status : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return new TrellisError('EVAL_TARGET_UNAVAILABLE', `${options.url} answered ${status ?? 'nothing'} for ${options.model}: ${reason}`, {
    cause: error,
    hint: status === 401 || status === 403 ? 'Set the API key variable the suite names (apiKeyEnv) to a key with the chat scope.' : undefined,
    details: { url: options.url, status: status ?? null },
  });
}
