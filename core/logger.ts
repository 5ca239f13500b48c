import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  level: string;
  /** Human-readable lines; defaults to true on a terminal and false otherwise (JSON for log shippers). */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

/** The process logger: pretty on a TTY, one JSON object per line otherwise. Secrets in known fields are redacted. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  const wantsPretty = options.pretty ?? Boolean((destination as NodeJS.WriteStream).isTTY);
  const settings = {
    level: options.level,
    redact: { paths: ['apiKey', '*.apiKey', 'headers.authorization', 'req.headers.authorization'], censor: '***' },
  };
  // pino-pretty as an in-process stream rather than a transport: no worker thread to outlive a Ctrl-C.
  const stream = wantsPretty
    ? pretty({ colorize: true, sync: true, destination, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' })
    : destination;
  return pino(settings, stream);
}

/** A logger that drops everything, for tests and library use without logging. */
export const silentLogger: Logger = pino({ level: 'silent' });
