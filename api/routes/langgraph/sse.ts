import type { FastifyReply } from 'fastify';
import { openEventStream } from '../../sse/event-stream.js';
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

/** Opens the Agent Protocol's event stream: LangGraph's event names, JSON in its wire form, run log positions as ids. */
export function openSse(reply: FastifyReply, headers: Readonly<Record<string, string>>): SseWriter {
  const stream = openEventStream(reply, { headers });
  return {
    signal: stream.signal,
    write: (events, id) =>
      stream.send(events.map((event, index) => ({ event: event.event, data: wireJson(event.data), ...(index === events.length - 1 ? { id } : {}) }))),
    end: () => stream.end(),
  };
}
