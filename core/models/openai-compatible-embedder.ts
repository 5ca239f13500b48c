import OpenAI, { APIError, APIUserAbortError } from 'openai';
import { TrellisError } from '../errors.js';
import type { EmbedOptions, EmbedResult, EmbeddingModel } from './types.js';

/** Options for {@link createOpenAICompatibleEmbedder}. */
export interface OpenAICompatibleEmbedderOptions {
  /** API root that serves `/embeddings`, e.g. `http://localhost:8000/v1`. Defaults to OPENAI_BASE_URL, then OpenAI. */
  readonly baseUrl?: string;
  /** Bearer token. Defaults to OPENAI_API_KEY; local servers that check nothing accept any non-empty string. */
  readonly apiKey?: string;
  /** Model name sent with every request, e.g. `text-embedding-3-small`. */
  readonly model: string;
  /** Vector length the server returns; when omitted it is learned from the first response (0 until then). */
  readonly dimensions?: number;
  /** Most texts per request. Defaults to 256, well under OpenAI's 2048 inputs per request. */
  readonly maxBatchSize?: number;
  /** Extra headers on every request (an organisation id, a gateway key). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Retries of connection failures, 408, 409, 429 and 5xx, with backoff and `Retry-After`. Defaults to 2. */
  readonly maxRetries?: number;
  /** Milliseconds before one request is abandoned. Defaults to 60 000. */
  readonly timeoutMs?: number;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * An embedder over any server that speaks OpenAI's `POST /embeddings` (OpenAI, Azure-style gateways, vLLM,
 * Ollama, llama.cpp server, text-embeddings-inference). Vectors come back in input order whatever order the
 * server lists them in.
 *
 * Throws `MODEL_NOT_CONFIGURED` when neither `apiKey` nor OPENAI_API_KEY is set. Calls throw `MODEL_CALL_FAILED`
 * with the HTTP `status` in `details` (null when no response arrived) and `MODEL_ABORTED` when cancelled.
 *
 * @example
 * const embedder = createOpenAICompatibleEmbedder({ model: 'text-embedding-3-small', dimensions: 1536 });
 * const { embeddings } = await embedMany(embedder, ['first passage', 'second passage']);
 */
export function createOpenAICompatibleEmbedder(options: OpenAICompatibleEmbedderOptions): EmbeddingModel {
  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new TrellisError('MODEL_NOT_CONFIGURED', `no API key for embedding model ${options.model}`, {
      hint: 'Pass the apiKey option or set OPENAI_API_KEY (any non-empty value for a local server without auth).',
      details: { option: 'apiKey', variable: 'OPENAI_API_KEY' },
    });
  }
  const baseUrl = options.baseUrl ?? process.env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL;
  const { model: modelId, maxBatchSize = 256 } = options;
  const client = new OpenAI({
    apiKey,
    baseURL: baseUrl,
    defaultHeaders: options.headers,
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? 60_000,
  });
  let dimensions = options.dimensions ?? 0;

  return {
    provider: 'openai-compatible',
    modelId,
    get dimensions() {
      return dimensions;
    },
    maxBatchSize,
    async doEmbed({ texts, signal }: EmbedOptions): Promise<EmbedResult> {
      let response: OpenAI.CreateEmbeddingResponse;
      try {
        response = await client.embeddings.create(
          // The SDK asks for base64 unless told otherwise, which llama.cpp and older vLLM servers do not speak.
          { model: modelId, input: [...texts], encoding_format: 'float' },
          { signal },
        );
      } catch (error) {
        throw toEmbeddingCallError(error, modelId, baseUrl);
      }

      const embeddings = new Array<number[]>(texts.length);
      for (const item of response.data ?? []) embeddings[item.index] = item.embedding;
      if (response.data?.length !== texts.length || embeddings.some((vector) => !Array.isArray(vector))) {
        throw new TrellisError(
          'MODEL_OUTPUT_INVALID',
          `embedding model ${modelId} at ${baseUrl} answered ${response.data?.length ?? 0} vectors for ${texts.length} texts`,
          { details: { modelId, expected: texts.length, received: response.data?.length ?? 0 } },
        );
      }
      if (dimensions === 0) dimensions = embeddings[0]?.length ?? 0;
      return { embeddings, usage: { tokens: response.usage?.prompt_tokens ?? 0 } };
    },
  };
}

function toEmbeddingCallError(error: unknown, modelId: string, baseUrl: string): TrellisError {
  if (error instanceof APIUserAbortError) {
    return new TrellisError('MODEL_ABORTED', `embedding with ${modelId} was cancelled`, { cause: error });
  }
  const status = error instanceof APIError && typeof error.status === 'number' ? error.status : null;
  // The same statuses the SDK retries: no response at all, timeouts, conflicts, rate limits and server errors.
  const retryable = status === null || status === 408 || status === 409 || status === 429 || status >= 500;
  const reason = error instanceof Error ? error.message : String(error);
  return new TrellisError(
    'MODEL_CALL_FAILED',
    `embedding request to ${baseUrl} for model ${modelId} failed${status === null ? '' : ` with HTTP ${status}`}: ${reason}`,
    {
      cause: error,
      details: { provider: 'openai-compatible', modelId, baseUrl, status, retryable },
    },
  );
}
