import type { WebsocketPluginOptions } from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';

/** RFC 6455 1001: the server is going away; clients reconnect (to another replica, or once it is back). */
const CLOSE_GOING_AWAY = 1001;
/** RFC 6455 1011: the server met a condition it could not handle. */
const CLOSE_INTERNAL_ERROR = 1011;

/**
 * Options for `@fastify/websocket`, given where app.ts registers it. Frames up to twice the request body limit are
 * read, so one over the limit can be refused with an error frame on an open socket; beyond that `ws` closes the
 * socket with 1009, since a frame of any size would otherwise have to be read first.
 */
export function webSocketServerOptions(requestBodyBytes: number): WebsocketPluginOptions {
  return { options: { maxPayload: requestBodyBytes * 2 }, preClose: closeSocketsGoingAway, errorHandler: onSocketError };
}

/**
 * A failing connection is the client's doing far more often than the server's, so it is a warning, and the socket
 * is closed rather than cut: `ws` has already sent its own close code for a protocol error (1009 for an oversized
 * frame), which the plugin's default handler would lose by terminating the socket.
 */
function onSocketError(this: FastifyInstance, error: Error, socket: WebSocket, request: FastifyRequest): void {
  request.log.warn({ err: error }, 'websocket connection failed');
  if (socket.readyState === socket.OPEN) socket.close(CLOSE_INTERNAL_ERROR, 'internal error');
}

/**
 * Runs before the HTTP server closes: every socket is closed with 1001 and a reason, where the plugin's default
 * would close them without a code. It runs in place of that default because it must run first; hooks added by a
 * route plugin run after it, when the sockets are already closing.
 */
async function closeSocketsGoingAway(this: FastifyInstance): Promise<void> {
  const server = this.websocketServer;
  for (const socket of server.clients) socket.close(CLOSE_GOING_AWAY, 'server shutting down');
  // Not awaited: it settles when the last client has answered the close, which a dead client never does.
  server.close();
}
