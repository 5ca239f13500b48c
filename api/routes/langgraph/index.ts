import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { AssistantCatalog } from './assistant-catalog.js';
import { assistantRoutes } from './assistants.js';
import type { ProtocolContext } from './protocol-context.js';
import { runRoutes } from './runs.js';
import { threadRoutes } from './threads.js';

/**
 * The LangGraph Agent Protocol subset, at the paths LangGraph's server uses (`/assistants`, `/threads`, `/runs`), so
 * that `new Client({ apiUrl, apiKey })` from `@langchain/langgraph-sdk` works against Trellis unchanged. What is
 * served, and how Trellis concepts map onto the protocol, is in docs/agent-protocol.md.
 */
export async function langGraphRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const context: ProtocolContext = {
    runtime: options.runtime,
    catalog: new AssistantCatalog(options.runtime),
    since: options.runtime.now().toISOString(),
  };
  await app.register(assistantRoutes, { context });
  await app.register(threadRoutes, { context });
  await app.register(runRoutes, { context });
}
