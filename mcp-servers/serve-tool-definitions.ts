import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type ProgressToken,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ERROR_CODES } from '../core/errors.js';
import type { AnyToolDefinition, ToolContext } from '../tools/define-tool.js';
import { executeTool, type ToolLimits } from '../tools/execute-tool.js';
import { toolResultText } from '../tools/to-langchain-tool.js';

/** Largest tool arguments accepted, as JSON: far above any real search or tool input, far below a body limit. */
export const MAX_ARGUMENT_BYTES = 64 * 1024;

/** How often a call that has a progress token reports that it is still running. */
const PROGRESS_INTERVAL_MS = 1000;

export interface ServeToolDefinitionsOptions {
  readonly tools: readonly AnyToolDefinition[];
  /** The context of one call; `signal` is aborted when the client cancels the request. */
  readonly context: (signal: AbortSignal) => ToolContext;
  readonly limits: ToolLimits;
  readonly maxArgumentBytes?: number;
  readonly progressIntervalMs?: number;
}

type CallExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * Serves Trellis tool definitions as the server's MCP tools: `tools/list` shows each one's JSON Schema (from its zod
 * schema, as models see it), and `tools/call` runs it through `executeTool`, the path every agent's call takes
 * (validation with readable issues, timeout, output bound).
 *
 * - An unknown tool and oversized arguments are protocol errors (-32602, the message says what exists or the limit);
 *   the request never reaches a tool.
 * - Invalid arguments and tool failures are tool results with `isError`, worded as the model-facing text
 *   (`Error TOOL_INPUT_INVALID: ...`, one line per issue), so an assistant can correct its call.
 * - A client's cancellation aborts the tool's signal (searches stop); with a `progressToken` the call reports
 *   progress every second while it runs, which keeps clients that reset their timeout on progress waiting.
 */
export function serveToolDefinitions(server: McpServer, options: ServeToolDefinitionsOptions): void {
  const byName = new Map(options.tools.map((tool) => [tool.name, tool]));
  const listed: Tool[] = options.tools.map(describeTool);
  const maxBytes = options.maxArgumentBytes ?? MAX_ARGUMENT_BYTES;
  server.server.registerCapabilities({ tools: {} });
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name } = request.params;
    const definition = byName.get(name);
    if (!definition) {
      throw new McpError(ErrorCode.InvalidParams, `unknown tool ${name}; this server has: ${[...byName.keys()].join(', ') || 'none'}`, {
        code: 'TOOL_NOT_FOUND',
        hint: 'Call tools/list to see the tools and their input schemas.',
      });
    }
    const args = request.params.arguments ?? {};
    const bytes = Buffer.byteLength(JSON.stringify(args), 'utf8');
    if (bytes > maxBytes) {
      throw new McpError(ErrorCode.InvalidParams, `the arguments of ${name} are ${bytes} bytes of JSON; at most ${maxBytes} are accepted`, {
        code: 'MCP_ARGUMENTS_TOO_LARGE',
        hint: ERROR_CODES.MCP_ARGUMENTS_TOO_LARGE.hint,
      });
    }
    const progressToken = request.params._meta?.progressToken;
    const stopProgress =
      progressToken === undefined ? undefined : reportProgress(extra, progressToken, name, options.progressIntervalMs ?? PROGRESS_INTERVAL_MS);
    try {
      const result = await executeTool(definition, args, options.context(extra.signal), options.limits);
      const content: CallToolResult['content'] = [{ type: 'text', text: toolResultText(result) }];
      if (!result.ok) return { content, isError: true };
      return isPlainObject(result.output) ? { content, structuredContent: result.output } : { content };
    } finally {
      stopProgress?.();
    }
  });
}

function describeTool(definition: AnyToolDefinition): Tool {
  const { $schema: _dialect, ...inputSchema } = z.toJSONSchema(definition.schema, { io: 'input', target: 'draft-7', unrepresentable: 'any' });
  return {
    name: definition.name,
    description: definition.description,
    inputSchema: inputSchema as Tool['inputSchema'],
    annotations: { idempotentHint: definition.idempotent === true },
  };
}

/** Sends `notifications/progress` now and then every interval until stopped; returns the stop function. */
function reportProgress(extra: CallExtra, progressToken: ProgressToken, tool: string, intervalMs: number): () => void {
  const started = performance.now();
  let progress = 0;
  const send = () => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const message = progress === 0 ? `${tool} started` : `${tool} still running after ${seconds} s`;
    extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message } }).catch(() => undefined);
    progress += 1;
  };
  send();
  const timer = setInterval(send, intervalMs);
  return () => clearInterval(timer);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
