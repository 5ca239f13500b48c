import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

export interface ServeOverStdioOptions {
  readonly input?: Readable;
  readonly output?: Writable;
  /** Stops serving (Ctrl-C, SIGTERM). */
  readonly signal?: AbortSignal;
}

/**
 * Serves one MCP server over stdin/stdout until the client closes stdin (a desktop client quitting) or `signal`
 * aborts, then closes it. Nothing else may write to stdout meanwhile: logs go to stderr.
 */
export async function serveOverStdio(server: McpServer, options: ServeOverStdioOptions = {}): Promise<void> {
  const input = options.input ?? process.stdin;
  await server.connect(new StdioServerTransport(input, options.output ?? process.stdout));
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) return resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
    input.once('end', () => resolve());
    input.once('close', () => resolve());
  });
  await server.close();
}
