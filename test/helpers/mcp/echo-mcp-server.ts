import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** What the echo server saw, for tests that run it in-process. */
export interface EchoServerLog {
  /** Tool names, in call order. */
  readonly calls: string[];
  /** Names of calls whose request was cancelled by the client. */
  readonly cancelled: string[];
}

/**
 * A tiny external MCP server, as a third party would write one with the SDK: `add`, `echo`, `fail` (answers
 * isError), `pid` (its process id), `exit` (the process dies mid-call) and `slow` (waits, unless cancelled).
 */
export function createEchoMcpServer(log: EchoServerLog = { calls: [], cancelled: [] }): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  server.registerTool(
    'add',
    { description: 'Adds two numbers.', inputSchema: { a: z.number().describe('first'), b: z.number().describe('second') }, annotations: { idempotentHint: true } },
    ({ a, b }) => {
      log.calls.push('add');
      return text(String(a + b));
    },
  );
  server.registerTool('echo', { description: 'Says the text back.', inputSchema: { text: z.string().max(100) } }, ({ text: said }) => {
    log.calls.push('echo');
    return text(said);
  });
  server.registerTool('fail', { description: 'Always fails.' }, () => {
    log.calls.push('fail');
    return { ...text('the echo server refuses on purpose'), isError: true };
  });
  server.registerTool('pid', { description: 'The process id of the server.' }, () => text(String(process.pid)));
  server.registerTool('exit', { description: 'Ends the server process.' }, () => process.exit(3));
  server.registerTool('slow', { description: 'Waits, then answers.', inputSchema: { ms: z.number().int().max(60_000) } }, ({ ms }, extra) => {
    log.calls.push('slow');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(text(`waited ${ms} ms`)), ms);
      extra.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        log.cancelled.push('slow');
        resolve(text('cancelled'));
      });
    });
  });
  return server;
}

export interface EchoHttpServer {
  /** The streamable HTTP endpoint, `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  readonly log: EchoServerLog;
  /** The Authorization header values requests carried. */
  readonly authorizations: (string | undefined)[];
  /** Drops every session, as a restarted server would: their ids then answer 404. */
  forgetSessions(): void;
  /** How many sessions clients have opened. */
  sessionsOpened(): number;
  close(): Promise<void>;
}

/** The echo server over streamable HTTP on a loopback port, with sessions (one server per session). */
export async function startEchoHttpServer(): Promise<EchoHttpServer> {
  const log: EchoServerLog = { calls: [], cancelled: [] };
  const authorizations: (string | undefined)[] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let opened = 0;
  const http: Server = createServer(async (request, response) => {
    authorizations.push(request.headers.authorization);
    const id = request.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!transport) {
      if (typeof id === 'string') {
        response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => {
          opened += 1;
          sessions.set(sessionId, created);
        },
      });
      await createEchoMcpServer(log).connect(created);
      transport = created;
    }
    await transport.handleRequest(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    log,
    authorizations,
    forgetSessions: () => sessions.clear(),
    sessionsOpened: () => opened,
    close: async () => {
      await Promise.all([...sessions.values()].map((transport) => transport.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

// Run as a program (`node --import tsx echo-mcp-server.ts`): the echo server over stdio.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await createEchoMcpServer().connect(new StdioServerTransport());
}
