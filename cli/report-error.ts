import { TrellisError } from '../core/errors.js';

/**
 * Prints a failure the way every command does, `error CODE: message` then `hint: ...`, on stderr. Unexpected
 * errors keep their stack, since they are Trellis bugs to report.
 */
export function reportError(error: unknown, stream: NodeJS.WritableStream = process.stderr): void {
  if (TrellisError.isInstance(error)) {
    stream.write(`error ${error.code}: ${error.message}\nhint: ${error.hint}\n`);
    return;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  stream.write(`error INTERNAL: ${text}\nhint: this is a bug in Trellis; please report it with the lines above.\n`);
}
