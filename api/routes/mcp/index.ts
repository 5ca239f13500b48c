import type { FastifyInstance } from 'fastify';
import { createTrellisMcpServer, MCP_SERVER_KINDS } from '../../../mcp-servers/create-mcp-server.js';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { McpSessions } from './mcp-sessions.js';

const SUMMARIES = {
  knowledge: 'MCP knowledge server (streamable HTTP): search, list_knowledge_bases, get_document, document resources, answer_with_citations',
  tools: 'MCP tools server (streamable HTTP): the tool registry, without tools that need approval',
} as const;

/**
 * Trellis's MCP servers over streamable HTTP at `/mcp/knowledge` and `/mcp/tools`: POST for requests, GET for the
 * session's notification stream, DELETE to end the session. Same API keys (`chat` scope) and tenant scoping as the
 * rest of the API; the body is JSON-RPC, checked by the SDK's transport rather than a route schema.
 */
export async function mcpRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { runtime } = options;
  const sessions = new McpSessions({
    createServer: (kind, scope) => createTrellisMcpServer(kind, runtime, scope),
    logger: runtime.logger,
  });
  // Open notification streams would otherwise hold the server open until they time out.
  app.addHook('preClose', async () => sessions.closeAll());
  for (const kind of MCP_SERVER_KINDS) {
    app.route({
      method: ['GET', 'POST', 'DELETE'],
      url: `/mcp/${kind}`,
      config: { scope: 'chat' },
      schema: { tags: ['mcp'], summary: SUMMARIES[kind], description: 'See docs/mcp.md. Send `Accept: application/json, text/event-stream`.' },
      handler: (request, reply) => sessions.handle(kind, request, reply),
    });
  }
}
