import { ChromaConnectionError, ChromaServerError } from 'chromadb';
import { TrellisError } from '../../../core/errors.js';

const DIMENSION_MISMATCH = /expecting embedding with dimension of (\d+), got (\d+)/i;

/**
 * Maps whatever the Chroma client threw to the TrellisError a user can act on: an unreachable or failing server is
 * VECTOR_STORE_UNAVAILABLE (with the URL), a vector of the wrong length VECTOR_DIMENSION_MISMATCH, anything else
 * INTERNAL (Chroma refused a request Trellis built, which is a Trellis bug).
 */
export function fromChromaError(error: unknown, url: string, operation: string): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const dimensions = DIMENSION_MISMATCH.exec(message);
  if (dimensions) {
    return new TrellisError(
      'VECTOR_DIMENSION_MISMATCH',
      `the knowledge base holds ${dimensions[1]}-dimensional vectors; got ${dimensions[2]}`,
      { cause: error, details: { expected: Number(dimensions[1]), actual: Number(dimensions[2]) } },
    );
  }
  if (isUnavailable(error)) {
    return new TrellisError('VECTOR_STORE_UNAVAILABLE', `Chroma at ${url} is unavailable (${operation}): ${message}`, {
      cause: error,
      details: { url, operation },
    });
  }
  return new TrellisError('INTERNAL', `Chroma at ${url} refused ${operation}: ${message}`, {
    cause: error,
    details: { url, operation },
  });
}

function isUnavailable(error: unknown): boolean {
  // ChromaServerError is every status the client has no class for: 5xx in practice (a dying or overloaded server).
  if (error instanceof ChromaConnectionError || error instanceof ChromaServerError) return true;
  const text = `${error instanceof Error ? error.message : ''} ${describeCause(error)}`;
  return /fetch failed|ECONNREFUSED|ECONNRESET|EPIPE|socket hang up|other side closed/i.test(text);
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error) || error.cause === undefined) return '';
  const cause = error.cause;
  return cause instanceof Error ? `${cause.message} ${(cause as NodeJS.ErrnoException).code ?? ''}` : String(cause);
}
