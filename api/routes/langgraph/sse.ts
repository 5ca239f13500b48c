import { once } from 'node:events';
import type { FastifyReply } from 'fastify';
import { wireJson } from './wire-json.js';

/** One server-sent event: its name (`values`, `updates|<namespace>`, `metadata`, ...) and JSON data. */
export interface WireEvent {
  readonly event: string;
  readonly data: unknown;
}

export interface SseWriter {
  /** Aborts when the connection closes: the client went away, or the stream ended. */
  readonly signal: AbortSignal;
  /**
   * Writes the events of one run log entry at once; the last carries `id: <seq>`, the position a client that
   * reconnects sends back as `Last-Event-ID`. Waits while the client reads slower than the run writes.
   */
  write(events: readonly WireEvent[], id: number): Promise<void>;
  end(): void;
}

/**
 * Takes the response over from Fastify and opens an event stream on it. Headers Fastify hooks set on the reply
 * (CORS, rate limits) are kept.
 */
export function openSse(reply: FastifyReply, headers: Readonly<Record<string, string>>): SseWriter {
  reply.hijack();
  const raw = reply.raw;
  const inherited = Object.fromEntries(Object.entries(reply.getHeaders()).filter((header) => header[1] !== undefined));
  raw.writeHead(200, {
    ...inherited,
    ...headers,
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
  return {
    signal: gone.signal,
    async write(events, id) {
      if (gone.signal.aborted || events.length === 0) return;
      const text = events
        .map((event, index) => `event: ${event.event}\ndata: ${wireJson(event.data)}\n${index === events.length - 1 ? `id: ${id}\n` : ''}\n`)
        .join('');
      if (!raw.write(text)) await once(raw, 'drain', { signal: gone.signal }).catch(() => undefined);
    },
    end() {
      if (!raw.writableEnded) raw.end();
    },
  };
}
