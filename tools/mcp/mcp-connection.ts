import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerSettings } from '../../core/config-schema.js';
import { TrellisError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { TRELLIS_VERSION } from '../../core/version.js';

/** Lines of a stdio server's stderr kept to explain a failed start. */
const STDERR_LINES_KEPT = 20;

export interface McpConnectionOptions {
  /** The server's name in `mcpServers`. */
  readonly name: string;
  readonly settings: McpServerSettings;
  /** Connecting (start, initialize, first tools/list) gives up after this long. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/**
 * One external MCP server, as an SDK `Client` over stdio or streamable HTTP, that comes back after it went away:
 * a stdio server that exited is started again, and an HTTP session the server forgot is opened again, on the next
 * call. A call cut off by the connection dropping is reported, never silently repeated (the tool may have run).
 */
export class McpConnection {
  readonly name: string;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;
  private readonly stderrTail: string[] = [];

  constructor(private readonly options: McpConnectionOptions) {
    this.name = options.name;
  }

  /** Connects (once at a time) and lists every tool the server offers, page by page. */
  async listTools(): Promise<readonly Tool[]> {
    const client = await this.connected();
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: this.options.timeoutMs });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /**
   * Calls a tool by the server's own name for it. The signal cancels the call on the server too (the SDK sends
   * `notifications/cancelled`); the timeout is the caller's, enforced by `executeTool`, so the SDK's own is set past it.
   */
  async callTool(name: string, args: Record<string, unknown>, options: { signal: AbortSignal; timeoutMs: number }): Promise<CallToolResult> {
    const call = async (client: Client) =>
      (await client.callTool({ name, arguments: args }, undefined, {
        signal: options.signal,
        timeout: options.timeoutMs + 1000,
      })) as CallToolResult;
    const client = await this.connected();
    try {
      return await call(client);
    } catch (error) {
      // A session the HTTP server no longer knows (it restarted, or expired it) never ran the call: safe to retry.
      if (!(error instanceof StreamableHTTPError && error.code === 404)) throw this.describe(error, name);
      this.forget(client);
      return call(await this.connected()).catch((retryError: unknown) => {
        throw this.describe(retryError, name);
      });
    }
  }

  /** Closes the connection (and stops a stdio server); later calls fail. Never throws. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.close().catch(() => undefined);
  }

  private connected(): Promise<Client> {
    if (this.closed) return Promise.reject(new TrellisError('MCP_SERVER_UNAVAILABLE', `MCP server ${this.name} was closed`));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const client = new Client({ name: 'trellis', version: TRELLIS_VERSION });
    const transport = this.transport();
    client.onclose = () => this.forget(client);
    client.onerror = (error) => this.options.logger.debug({ mcpServer: this.name, err: error }, 'MCP connection error');
    try {
      await client.connect(transport, { timeout: this.options.timeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw this.startFailure(error);
    }
    if (this.closed) {
      await client.close().catch(() => undefined);
      throw new TrellisError('MCP_SERVER_UNAVAILABLE', `MCP server ${this.name} was closed`);
    }
    this.client = client;
    this.options.logger.debug({ mcpServer: this.name }, 'MCP server connected');
    return client;
  }

  private forget(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (!this.closed) this.options.logger.warn({ mcpServer: this.name }, 'MCP server disconnected; the next call reconnects');
    void client.close().catch(() => undefined);
  }

  private transport(): Transport {
    const { settings } = this.options;
    if (settings.url !== undefined) {
      return new StreamableHTTPClientTransport(new URL(settings.url), { requestInit: { headers: settings.headers } });
    }
    const transport = new StdioClientTransport({
      command: settings.command!,
      args: settings.args,
      env: settings.env,
      cwd: settings.cwd,
      stderr: 'pipe',
    });
    this.stderrTail.length = 0;
    transport.stderr?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.options.logger.debug({ mcpServer: this.name, stderr: line }, 'MCP server stderr');
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
      }
    });
    return transport;
  }

  private startFailure(error: unknown): TrellisError {
    const { settings } = this.options;
    const target = settings.url ?? [settings.command, ...settings.args].join(' ');
    const reason = error instanceof Error ? error.message : String(error);
    const stderr = this.stderrTail.length > 0 ? `; its stderr ended with: ${this.stderrTail.join(' | ')}` : '';
    return new TrellisError('MCP_SERVER_UNAVAILABLE', `MCP server ${this.name} (${target}) did not start: ${reason}${stderr}`, {
      cause: error,
      details: { mcpServer: this.name },
    });
  }

  /** A failed call as the code the model and the trace should see. */
  private describe(error: unknown, tool: string): unknown {
    if (TrellisError.isInstance(error) || !(error instanceof Error)) return error;
    // Cancellation by the caller keeps its reason, so executeTool recognises it.
    if (error.name === 'AbortError') return error;
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      return new TrellisError('MCP_SERVER_UNAVAILABLE', `MCP server ${this.name} closed the connection during ${tool}; the next call reconnects`, { cause: error });
    }
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return new TrellisError('TOOL_TIMEOUT', `MCP server ${this.name} did not answer ${tool} in time`, { cause: error });
    }
    return new TrellisError('TOOL_FAILED', `MCP server ${this.name} refused ${tool}: ${error.message}`, { cause: error });
  }
}
