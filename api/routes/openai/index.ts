import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { chatCompletionRoutes } from './chat-completions.js';
import { embeddingRoutes } from './embeddings.js';
import { modelRoutes } from './models.js';

/** The OpenAI-compatible surface under /v1: chat completions, models, embeddings. */
export async function openAiRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  await app.register(chatCompletionRoutes, options);
  await app.register(modelRoutes, options);
  await app.register(embeddingRoutes, options);
}
