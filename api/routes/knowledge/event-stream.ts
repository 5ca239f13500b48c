import type { FastifyReply } from 'fastify';
import { openEventStream } from '../../sse/event-stream.js';

/** One server-sent event: `id` lets a client resume with Last-Event-ID, `event` names its type. */
export interface EventFrame {
  readonly id: number;
  readonly event: string;
  readonly data: unknown;
}

/** A comment line this often keeps proxies and load balancers from closing a stream that is only waiting. */
const HEARTBEAT_MS = 15_000;

/**
 * Answers with a `text/event-stream` of `source`'s items, then ends the response when the source ends. When the
 * client goes away, or `closing` aborts (the server is shutting down; the client resumes with Last-Event-ID), the
 * source's signal aborts so that it stops waiting. Writes wait for the socket to drain, so a slow reader holds
 * back the stream instead of growing the server's buffers.
 */
export async function streamEvents<T>(
  reply: FastifyReply,
  source: (signal: AbortSignal) => AsyncIterable<T>,
  toFrame: (item: T) => EventFrame,
  closing: AbortSignal,
): Promise<void> {
  const stream = openEventStream(reply, { heartbeatMs: HEARTBEAT_MS });
  const stop = AbortSignal.any([stream.signal, closing]);
  try {
    for await (const item of source(stop)) {
      const frame = toFrame(item);
      await stream.send({ id: frame.id, event: frame.event, data: JSON.stringify(frame.data) });
    }
  } catch (error) {
    // The client went away while the source waited: nothing is left to answer.
    if (!stop.aborted) reply.log.error({ err: error }, 'event stream failed');
  } finally {
    stream.end();
  }
}
