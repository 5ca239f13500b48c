import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerSettings } from '../../core/config-schema.js';
import { toTrellisError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { AnyToolDefinition } from '../define-tool.js';
import { inputSchemaOf } from './input-schema.js';
import { McpConnection } from './mcp-connection.js';
import { mountedTool } from './mounted-tool.js';
import { mountedToolName } from './mounted-tool-name.js';

/** How one configured server fared at start-up: what `trellis doctor` and `/readyz` report. */
export interface McpServerStatus {
  readonly name: string;
  readonly transport: 'stdio' | 'http';
  /** `mounted`: connected and its tools are in the registry; `failed`: Trellis runs without them. */
  readonly state: 'mounted' | 'failed' | 'disabled';
  /** Registry names of its mounted tools. */
  readonly tools: readonly string[];
  readonly error?: { readonly code: string; readonly message: string; readonly hint: string };
  /** Tools skipped (a name taken) or mounted without input checks (a schema zod cannot express). */
  readonly warnings: readonly string[];
}

export interface MountedMcpServers {
  readonly tools: readonly AnyToolDefinition[];
  readonly statuses: readonly McpServerStatus[];
  /** Closes every connection and stops every stdio server. Never throws. */
  close(): Promise<void>;
}

export interface MountMcpServersOptions {
  readonly servers: Readonly<Record<string, McpServerSettings>>;
  /** A call's limit for servers without their own `timeoutMs` (`tools.timeoutMs`). */
  readonly defaultTimeoutMs: number;
  /** Names already in the registry: a mounted tool never shadows one. */
  readonly reservedNames: ReadonlySet<string>;
  readonly logger: Logger;
}

/**
 * Connects to every enabled server at once and turns each one's tools into tool definitions. A server that does not
 * start (or answer) within its timeout is logged and reported in `statuses`; the others mount and Trellis runs on.
 *
 * @example
 * const mcp = await mountMcpServers({ servers: config.mcpServers, defaultTimeoutMs: 30_000, reservedNames, logger });
 * const tools = withMountedTools(registry, mcp.tools);
 */
export async function mountMcpServers(options: MountMcpServersOptions): Promise<MountedMcpServers> {
  const { logger } = options;
  const entries = Object.entries(options.servers).sort(([a], [b]) => a.localeCompare(b));
  const connections: McpConnection[] = [];
  const listed = await Promise.all(
    entries.map(async ([name, settings]) => {
      if (!settings.enabled) return { kind: 'disabled' as const, name, settings };
      const timeoutMs = settings.timeoutMs ?? options.defaultTimeoutMs;
      const connection = new McpConnection({ name, settings, timeoutMs, logger });
      connections.push(connection);
      try {
        return { kind: 'listed' as const, name, settings, connection, timeoutMs, tools: await connection.listTools() };
      } catch (error) {
        await connection.close();
        return { kind: 'failed' as const, name, settings, error: toTrellisError(error, 'MCP_SERVER_UNAVAILABLE', `MCP server ${name} did not start`) };
      }
    }),
  );

  const taken = new Set(options.reservedNames);
  const tools: AnyToolDefinition[] = [];
  const statuses = listed.map((entry): McpServerStatus => {
    const transport = entry.settings.url === undefined ? 'stdio' : 'http';
    if (entry.kind === 'listed') {
      const mounted = mountTools(entry, taken);
      tools.push(...mounted.tools);
      for (const warning of mounted.warnings) logger.warn({ mcpServer: entry.name }, warning);
      logger.info({ mcpServer: entry.name, tools: mounted.tools.length }, 'MCP server mounted');
      return { name: entry.name, transport, state: 'mounted', tools: mounted.tools.map((tool) => tool.name), warnings: mounted.warnings };
    }
    if (entry.kind === 'disabled') return { name: entry.name, transport, state: 'disabled', tools: [], warnings: [] };
    const { code, message, hint } = entry.error;
    logger.warn({ mcpServer: entry.name, code, hint }, `${message}; Trellis runs without its tools`);
    return { name: entry.name, transport, state: 'failed', tools: [], error: { code, message, hint }, warnings: [] };
  });

  return {
    tools,
    statuses,
    async close() {
      await Promise.all(connections.map((connection) => connection.close()));
    },
  };
}

function mountTools(
  entry: { name: string; settings: McpServerSettings; connection: McpConnection; timeoutMs: number; tools: readonly Tool[] },
  taken: Set<string>,
): { tools: AnyToolDefinition[]; warnings: string[] } {
  const tools: AnyToolDefinition[] = [];
  const warnings: string[] = [];
  for (const tool of entry.tools) {
    const name = mountedToolName(entry.name, tool.name);
    if (taken.has(name)) {
      warnings.push(`tool ${tool.name} of MCP server ${entry.name} was skipped: the name ${name} is already taken`);
      continue;
    }
    const input = inputSchemaOf(tool.inputSchema);
    if (input.problem) warnings.push(`tool ${tool.name} of MCP server ${entry.name}: ${input.problem}; its arguments go to the server unchecked`);
    taken.add(name);
    tools.push(mountedTool({ name, tool, schema: input.schema, connection: entry.connection, settings: entry.settings, timeoutMs: entry.timeoutMs }));
  }
  return { tools, warnings };
}
