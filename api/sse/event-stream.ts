import { once } from 'node:events';
import type { FastifyReply } from 'fastify';

/** One server-sent event. `data` is sent as is (JSON, or `[DONE]`); `id` is what a client resumes from. */
export interface ServerSentEvent {
  readonly event?: string;
  readonly id?: number | string;
  readonly data: string;
}

/** An open `text/event-stream` response. */
export interface EventStream {
  /** Aborts when the connection closes: the client went away, or the stream ended. */
  readonly signal: AbortSignal;
  /** Writes events at once (one network write), then waits while the client reads slower than the server writes. */
  send(events: ServerSentEvent | readonly ServerSentEvent[]): Promise<void>;
  /** Ends the response; safe to call more than once. */
  end(): void;
}

export interface OpenEventStreamOptions {
  /** Headers of the route's own (Location, Content-Location); the reply's hook headers (CORS, rate limits) are kept. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Sends a comment line this often while the stream only waits, so that proxies keep it open. */
  readonly heartbeatMs?: number;
}

/**
 * Takes the response over from Fastify and opens an event stream on it, for every streaming route (knowledge jobs,
 * the Agent Protocol, OpenAI chat completions): the same headers, back-pressure and disconnect handling everywhere.
 */
export function openEventStream(reply: FastifyReply, options: OpenEventStreamOptions = {}): EventStream {
  reply.hijack();
  const raw = reply.raw;
  const inherited = Object.fromEntries(Object.entries(reply.getHeaders()).filter((header) => header[1] !== undefined));
  raw.writeHead(200, {
    ...inherited,
    ...options.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // Proxies such as nginx would otherwise hold events back until a buffer fills.
    'x-accel-buffering': 'no',
  });
  raw.flushHeaders();
  const gone = new AbortController();
  raw.once('close', () => gone.abort());
  // A write to a connection the client has just dropped fails here; the close that follows ends the stream.
  raw.on('error', () => gone.abort());
  const heartbeat = options.heartbeatMs ? setInterval(() => raw.write(': keep-alive\n\n'), options.heartbeatMs) : undefined;
  gone.signal.addEventListener('abort', () => clearInterval(heartbeat), { once: true });
  return {
    signal: gone.signal,
    async send(events) {
      const list = Array.isArray(events) ? (events as readonly ServerSentEvent[]) : [events as ServerSentEvent];
      if (gone.signal.aborted || list.length === 0) return;
      if (!raw.write(list.map(format).join(''))) await once(raw, 'drain', { signal: gone.signal }).catch(() => undefined);
    },
    end() {
      clearInterval(heartbeat);
      if (!raw.writableEnded) raw.end();
    },
  };
}

function format(event: ServerSentEvent): string {
  // A data line ends at a line break, so multi-line data is sent as several `data:` lines (the client joins them).
  const data = event.data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('');
  return `${event.event !== undefined ? `event: ${event.event}\n` : ''}${data}${event.id !== undefined ? `id: ${event.id}\n` : ''}\n`;
}
