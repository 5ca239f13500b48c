import { Neo4jError } from 'neo4j-driver';
import { TrellisError } from '../../../../core/errors.js';

/** Driver codes meaning the server could not be reached or the connection was lost (and retries ran out). */
const UNREACHABLE_CODES = new Set(['ServiceUnavailable', 'SessionExpired']);
const AUTH_CODES = new Set([
  'Neo.ClientError.Security.Unauthorized',
  'Neo.ClientError.Security.AuthenticationRateLimit',
  'Neo.ClientError.Security.CredentialsExpired',
  'Neo.ClientError.Security.TokenExpired',
]);

/** What the failure was about, for the message: `connect`, or the store operation (`replaceDocument`, ...). */
export function toNeo4jError(error: unknown, operation: string, uri: string): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  if (error instanceof Neo4jError) {
    const details = { uri, operation, neo4jCode: error.code };
    // A server that accepts TCP but never answers Bolt surfaces as a pool timeout without a code.
    if (UNREACHABLE_CODES.has(error.code) || /acquisition timed out/i.test(error.message)) {
      return new TrellisError('GRAPH_STORE_UNREACHABLE', `Neo4j at ${uri} is unreachable (${operation}): ${firstLine(error.message)}`, { cause: error, details });
    }
    if (AUTH_CODES.has(error.code)) {
      return new TrellisError('GRAPH_STORE_AUTH_FAILED', `Neo4j at ${uri} refused the credentials (${operation}): ${firstLine(error.message)}`, { cause: error, details });
    }
    return new TrellisError('GRAPH_STORE_QUERY_FAILED', `Neo4j at ${uri} failed ${operation}: ${error.code}: ${firstLine(error.message)}`, { cause: error, details });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new TrellisError('GRAPH_STORE_QUERY_FAILED', `Neo4j graph store failed ${operation}: ${reason}`, { cause: error, details: { uri, operation } });
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 300);
}
