import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TrellisError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { McpServerKind, McpSessionScope } from '../../../mcp-servers/create-mcp-server.js';
import type { Principal } from '../../../runtime/api-keys.js';
import { principalOf } from '../../plugins/auth.js';

interface Session {
  /** Set by the transport once initialize has succeeded. */
  id: string;
  readonly kind: McpServerKind;
  /** The key that opened it: only that key may use it, so no tenant ever reaches another's session. */
  readonly keyId: string;
  readonly server: McpServer;
  readonly transport: StreamableHTTPServerTransport;
  lastUsed: number;
  /** Requests still streaming (a GET's notification stream, a POST's SSE answer): such a session is not idle. */
  open: number;
}

export interface McpSessionsOptions {
  /** A fresh MCP server for a new session. */
  readonly createServer: (kind: McpServerKind, scope: McpSessionScope) => McpServer;
  readonly logger: Logger;
  /** A session nobody used for this long is closed (30 minutes). */
  readonly idleMs?: number;
  /** Sessions one API key may hold; opening one more closes its least recently used (100). */
  readonly maxSessionsPerKey?: number;
  readonly now?: () => number;
}

const IDLE_MS = 30 * 60_000;
const MAX_SESSIONS_PER_KEY = 100;

/**
 * Streamable HTTP sessions (the `mcp-session-id` header), each with its own MCP server scoped to the tenant of the
 * API key that opened it. A session id presented with another key, another server's path, or after the session
 * ended answers MCP_SESSION_NOT_FOUND (404, which tells MCP clients to start a new session). Sessions end on DELETE,
 * when idle, when their key opens too many, and when the API closes.
 */
export class McpSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(private readonly options: McpSessionsOptions) {
    this.idleMs = options.idleMs ?? IDLE_MS;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.closeIdle(), Math.min(this.idleMs, 60_000));
    this.sweeper.unref();
  }

  /** Serves one request of `/mcp/<kind>`: Fastify hands the raw request and response over to the SDK's transport. */
  async handle(kind: McpServerKind, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = principalOf(request);
    const header = request.headers['mcp-session-id'];
    const session = header === undefined ? await this.open(kind, principal, request.body) : this.find(kind, principal, header);
    session.lastUsed = this.now();
    session.open += 1;
    reply.raw.once('close', () => {
      session.open -= 1;
      session.lastUsed = this.now();
    });
    reply.hijack();
    try {
      await session.transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (error) {
      this.options.logger.error({ err: error, mcpSession: session.id }, 'MCP request failed');
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' });
      reply.raw.end();
    }
    // An initialize the transport refused leaves a session that never got an id: nobody can reach it again.
    if (session.transport.sessionId === undefined) await session.server.close();
  }

  /** Closes every session (the API is stopping): open notification streams end, so the server can close. */
  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((session) => this.close(session)));
  }

  private find(kind: McpServerKind, principal: Principal, header: string | string[]): Session {
    const id = Array.isArray(header) ? header[0] : header;
    const session = id === undefined ? undefined : this.sessions.get(id);
    if (!session || session.kind !== kind || session.keyId !== principal.keyId) {
      throw new TrellisError('MCP_SESSION_NOT_FOUND', `MCP session ${id ?? ''} not found on /mcp/${kind}`);
    }
    return session;
  }

  private async open(kind: McpServerKind, principal: Principal, body: unknown): Promise<Session> {
    if (!isInitializeRequest(body)) {
      throw new TrellisError('API_BODY_INVALID', 'a request without an mcp-session-id header must be an MCP initialize request (POST)', {
        hint: 'Send initialize first, then the mcp-session-id header its response carries with every later request.',
      });
    }
    this.makeRoomFor(principal.keyId);
    const server = this.options.createServer(kind, { tenantId: principal.tenantId });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session.id = id;
        this.sessions.set(id, session);
      },
    });
    const session: Session = { id: '', kind, keyId: principal.keyId, server, transport, lastUsed: this.now(), open: 0 };
    transport.onclose = () => {
      if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    };
    await server.connect(transport);
    return session;
  }

  /** Keeps a key's sessions under the cap by closing its least recently used one. */
  private makeRoomFor(keyId: string): void {
    const owned = [...this.sessions.values()].filter((session) => session.keyId === keyId);
    const max = this.options.maxSessionsPerKey ?? MAX_SESSIONS_PER_KEY;
    if (owned.length < max) return;
    const oldest = owned.reduce((a, b) => (a.lastUsed <= b.lastUsed ? a : b));
    this.options.logger.info({ mcpSession: oldest.id }, 'MCP session closed: its API key opened too many');
    void this.close(oldest);
  }

  private closeIdle(): void {
    const cutoff = this.now() - this.idleMs;
    for (const session of this.sessions.values()) {
      if (session.open === 0 && session.lastUsed < cutoff) void this.close(session);
    }
  }

  private async close(session: Session): Promise<void> {
    this.sessions.delete(session.id);
    await session.server.close().catch(() => undefined);
  }
}
