import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { TrellisError } from '../core/errors.js';

/** MCP's code for a resource that does not exist (not in the SDK's ErrorCode enum). */
const RESOURCE_NOT_FOUND = -32002;

/**
 * A failure in a resource or prompt handler as the JSON-RPC error an MCP client reads: the Trellis code and hint
 * travel in `data`, and the JSON-RPC code says whose fault it is (the request's, or the server's). Without this the
 * SDK would answer every thrown error with -32603 (internal error).
 */
export function toMcpError(error: unknown, options: { resource?: boolean } = {}): unknown {
  if (!TrellisError.isInstance(error)) return error;
  const data = { code: error.code, hint: error.hint };
  if (error.status === 404 && options.resource) return new McpError(RESOURCE_NOT_FOUND, error.message, data);
  return new McpError(error.status < 500 ? ErrorCode.InvalidParams : ErrorCode.InternalError, error.message, data);
}
