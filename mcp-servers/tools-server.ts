import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { TRELLIS_VERSION } from '../core/version.js';
import type { AnyToolDefinition } from '../tools/define-tool.js';
import { serveToolDefinitions } from './serve-tool-definitions.js';
import type { TrellisMcpServerOptions } from './server-options.js';

/**
 * The tools server for one tenant: every tool of the registry (built-ins, tools.dir, mounted MCP tools) with its
 * JSON Schema, each call run through `executeTool` as an agent's would be. Tools that need a person's approval are
 * left out unless `includeApprovalTools` is set: MCP has no way to pause a call for Trellis's approval flow, so
 * serving them means trusting the MCP client's own confirmation prompt.
 *
 * @example
 * const server = createToolsMcpServer({ ...deps, tenantId: 'default', includeApprovalTools: false });
 */
export function createToolsMcpServer(options: TrellisMcpServerOptions): McpServer {
  const { tenantId, logger, knowledge } = options;
  const server = new McpServer(
    { name: 'trellis-tools', version: TRELLIS_VERSION },
    { instructions: 'The tools of Trellis: knowledge search, a calculator, the time, and any tools this installation adds.' },
  );
  serveToolDefinitions(server, {
    tools: servedTools(options.tools.list(), options.includeApprovalTools === true),
    context: (signal) => ({ tenantId, signal, logger, knowledge }),
    limits: options.limits,
    progressIntervalMs: options.progressIntervalMs,
  });
  return server;
}

/** The tools a tools server offers: those needing approval (always, or for some inputs) only when allowed. */
export function servedTools(tools: readonly AnyToolDefinition[], includeApprovalTools: boolean): readonly AnyToolDefinition[] {
  return includeApprovalTools ? tools : tools.filter((tool) => tool.needsApproval === undefined || tool.needsApproval === false);
}
