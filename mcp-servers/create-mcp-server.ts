import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Runtime } from '../runtime/create-runtime.js';
import { createKnowledgeMcpServer } from './knowledge-server.js';
import type { TrellisMcpServerOptions } from './server-options.js';
import { createToolsMcpServer } from './tools-server.js';

import type { McpServerKind } from './server-kinds.js';

export { MCP_SERVER_KINDS, type McpServerKind } from './server-kinds.js';

export type McpSessionScope = Pick<TrellisMcpServerOptions, 'tenantId' | 'includeApprovalTools' | 'progressIntervalMs'>;

/**
 * A fresh MCP server of that kind for one session (stdio process or HTTP session), scoped to its tenant. Building
 * one costs microseconds, so each session gets its own and none shares state with another.
 */
export function createTrellisMcpServer(kind: McpServerKind, runtime: Runtime, scope: McpSessionScope): McpServer {
  const options: TrellisMcpServerOptions = {
    knowledge: runtime.knowledge,
    tools: runtime.tools,
    logger: runtime.logger,
    limits: { timeoutMs: runtime.config.tools.timeoutMs, maxOutputBytes: runtime.config.tools.maxOutputBytes },
    ...scope,
  };
  return kind === 'knowledge' ? createKnowledgeMcpServer(options) : createToolsMcpServer(options);
}
