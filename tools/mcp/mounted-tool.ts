import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { McpServerSettings } from '../../core/config-schema.js';
import { TrellisError } from '../../core/errors.js';
import { defineTool, type AnyToolDefinition } from '../define-tool.js';
import type { McpConnection } from './mcp-connection.js';

export interface MountedToolOptions {
  /** The registry name (see mountedToolName). */
  readonly name: string;
  /** The tool as the server lists it. */
  readonly tool: Tool;
  readonly schema: z.ZodObject;
  readonly connection: McpConnection;
  readonly settings: McpServerSettings;
  /** Each call's limit: the server's `timeoutMs`, else `tools.timeoutMs`. */
  readonly timeoutMs: number;
}

/**
 * An external server's tool as a Trellis tool definition: the registry validates its input, the react graph asks
 * for approval as the server's `requireApproval` says, and `executeTool` bounds its time and output, as for any
 * tool. A result the server marks `isError` becomes TOOL_FAILED with the server's own text.
 */
export function mountedTool(options: MountedToolOptions): AnyToolDefinition {
  const { tool, connection, settings, timeoutMs } = options;
  const description = tool.description?.trim() || tool.title?.trim() || `The ${tool.name} tool`;
  return defineTool({
    name: options.name,
    description: `${description} (tool ${tool.name} of the MCP server ${connection.name})`,
    schema: options.schema,
    needsApproval: approvalRule(settings.requireApproval, tool.name, options.name),
    timeoutMs,
    idempotent: tool.annotations?.idempotentHint === true,
    async execute(input, { signal }) {
      const result = await connection.callTool(tool.name, input, { signal, timeoutMs });
      const text = contentText(result);
      if (result.isError) {
        throw new TrellisError('TOOL_FAILED', `${tool.name} on MCP server ${connection.name} failed: ${text || 'no reason given'}`);
      }
      return result.structuredContent ?? text;
    },
  });
}

function approvalRule(policy: McpServerSettings['requireApproval'], serverName: string, registryName: string): boolean {
  if (policy === 'always') return true;
  if (policy === 'never') return false;
  return policy.includes(serverName) || policy.includes(registryName);
}

/** The result's content as the text a model reads; non-text parts are named rather than dropped. */
function contentText(result: CallToolResult): string {
  return (result.content ?? [])
    .map((part) => {
      switch (part.type) {
        case 'text':
          return part.text;
        case 'image':
        case 'audio':
          return `[${part.type} ${part.mimeType}, ${Math.floor((part.data.length * 3) / 4)} bytes]`;
        case 'resource_link':
          return `[resource ${part.uri}${part.name ? ` (${part.name})` : ''}]`;
        case 'resource':
          return 'text' in part.resource ? part.resource.text : `[resource ${part.resource.uri}]`;
        default:
          return '';
      }
    })
    .filter((text) => text !== '')
    .join('\n');
}
