import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpSessions } from '../../../api/routes/mcp/mcp-sessions.js';
import { silentLogger } from '../../../core/logger.js';
import { createTrellisMcpServer } from '../../../mcp-servers/create-mcp-server.js';
import { connectMcpClient } from '../../helpers/mcp/mcp-http-client.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

/** Session housekeeping on a bare Fastify app whose "auth" trusts the bearer token as the key id. */
describe('MCP sessions over HTTP', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  let app: FastifyInstance;
  let sessions: McpSessions;
  let url: string;
  const clients: Client[] = [];
  const connect = async (key: string) => {
    const client = await connectMcpClient(url, key);
    clients.push(client);
    return client;
  };
  const sessionIdOf = (client: Client) => (client.transport as StreamableHTTPClientTransport).sessionId!;
  const post = (key: string, sessionId: string) =>
    fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'mcp-session-id': sessionId, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });

  beforeAll(async () => {
    runtime = await createTestRuntime();
    sessions = new McpSessions({
      createServer: (kind, scope) => createTrellisMcpServer(kind, runtime, scope),
      logger: silentLogger,
      idleMs: 300,
      maxSessionsPerKey: 2,
    });
    app = Fastify();
    app.addHook('onRequest', async (request) => {
      const keyId = request.headers.authorization!.replace('Bearer ', '');
      request.principal = { keyId, tenantId: keyId, scopes: ['chat'] };
    });
    app.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp/tools', handler: (request, reply) => sessions.handle('tools', request, reply) });
    app.addHook('preClose', async () => sessions.closeAll());
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp/tools`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await app?.close();
    await runtime?.dispose();
  });

  it('closes the least recently used session of a key that opens too many, and leaves other keys alone', async () => {
    const first = await connect('key-a');
    const other = await connect('key-b');
    await connect('key-a');
    await connect('key-a');
    expect((await post('key-a', sessionIdOf(first))).status).toBe(404);
    expect((await post('key-b', sessionIdOf(other))).status).toBe(200);
  });

  it("closes a session whose client went away without DELETE, but not one whose client holds its stream", async () => {
    // A raw initialize, as a client that then vanished: no notification stream stays open.
    const initialize = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer key-c', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'gone', version: '1' } } }),
    });
    const abandoned = initialize.headers.get('mcp-session-id')!;
    await initialize.text();
    const connected = await connect('key-d');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await post('key-c', abandoned)).status).toBe(404);
    expect((await post('key-d', sessionIdOf(connected))).status).toBe(200);
  });
});
