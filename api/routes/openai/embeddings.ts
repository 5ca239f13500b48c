import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { embedMany } from '../../../core/models/embed-many.js';
import type { Runtime } from '../../../runtime/create-runtime.js';

const MAX_INPUTS = 2048;

const EmbeddingRequestSchema = z.object({
  input: z.union([z.string().min(1).max(100_000), z.array(z.string().min(1).max(100_000)).min(1).max(MAX_INPUTS)]),
  model: z.string().min(1).max(200).describe("Accepted for compatibility; the server's configured embedder answers."),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional().describe('Ignored: the embedder has a fixed size.'),
  user: z.string().max(256).optional(),
});

const EmbeddingResponseSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ object: z.literal('embedding'), index: z.number(), embedding: z.union([z.array(z.number()), z.string()]) })),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number(), total_tokens: z.number() }),
});

/** `POST /v1/embeddings` with the embedder knowledge bases use, so clients can embed queries the same way. */
export async function embeddingRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { runtime } = options;
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/embeddings',
    { schema: { tags: ['openai'], summary: 'Embed texts (OpenAI-compatible)', body: EmbeddingRequestSchema, response: { 200: EmbeddingResponseSchema } } },
    async (request) => {
      const texts = typeof request.body.input === 'string' ? [request.body.input] : request.body.input;
      const embedder = await runtime.models.embedder.get();
      const { embeddings, usage } = await embedMany(embedder, texts, { inputType: 'document' });
      const base64 = request.body.encoding_format === 'base64';
      return {
        object: 'list' as const,
        data: embeddings.map((vector, index) => ({ object: 'embedding' as const, index, embedding: base64 ? toBase64(vector) : vector })),
        model: embedder.modelId,
        usage: { prompt_tokens: usage.tokens, total_tokens: usage.tokens },
      };
    },
  );
}

/** OpenAI's base64 encoding: the little-endian float32 bytes of the vector. */
function toBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}
