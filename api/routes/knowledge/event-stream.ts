import { once } from 'node:events';
import type { FastifyReply } from 'fastify';

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
  const abort = new AbortController();
  const stopOnClosing = () => abort.abort();
  closing.addEventListener('abort', stopOnClosing, { once: true });
  const response = reply.raw;
  reply.hijack();
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // nginx buffers responses unless told not to, which would hold every event back.
    'x-accel-buffering': 'no',
  });
  response.on('close', () => abort.abort());
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
  try {
    for await (const item of source(abort.signal)) {
      const frame = toFrame(item);
      const written = response.write(`id: ${frame.id}\nevent: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`);
      if (!written) await once(response, 'drain', { signal: abort.signal });
    }
  } catch (error) {
    // The client went away while a write waited to drain: nothing is left to answer.
    if (!abort.signal.aborted) reply.log.error({ err: error }, 'event stream failed');
  } finally {
    closing.removeEventListener('abort', stopOnClosing);
    clearInterval(heartbeat);
    response.end();
  }
}
