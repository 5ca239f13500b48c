import type { FastifyInstance } from 'fastify';
import { TrellisError } from '../../../core/errors.js';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { principalOf } from '../../plugins/auth.js';
import { Heartbeat } from './heartbeat.js';
import { RevocationWatch } from './revocation-watch.js';
import { WebSocketSession, type WebSocketLimits } from './session.js';

export interface WebSocketRoutesOptions {
  readonly runtime: Runtime;
}

/** Per-socket bounds that suit a chat UI with a few runs in flight (docs/websocket.md states them to clients). */
const LIMITS = {
  maxRunsPerSocket: 16,
  highWaterBytes: 256 * 1024,
  maxBufferedBytes: 4 * 1024 * 1024,
} as const;

/** How often idle peers are pinged; one that misses a ping is cut off at the next. */
const HEARTBEAT_MS = 30_000;
/** How long a socket that only listens may outlive the revocation of its key, at most. */
const REVOCATION_CHECK_MS = 5_000;

/**
 * `GET /ws`: the WebSocket interface, a JSON frame protocol (docs/websocket.md) to start runs, stream their tokens
 * and events, answer approval requests, cancel, and pick a stream up again after a reconnect. The upgrade request
 * is authenticated like any route (a key with the `chat` scope, or `?api_key=` from a browser); a refused upgrade
 * is an HTTP 401/403 before any socket exists.
 */
export async function webSocketRoutes(app: FastifyInstance, options: WebSocketRoutesOptions): Promise<void> {
  const { runtime } = options;
  const limits: WebSocketLimits = { ...LIMITS, maxFrameBytes: runtime.config.limits.requestBodyBytes };
  const heartbeat = new Heartbeat(HEARTBEAT_MS);
  const revocations = new RevocationWatch((keyId) => runtime.apiKeys.isActive(keyId), REVOCATION_CHECK_MS);
  app.addHook('onClose', async () => {
    heartbeat.stop();
    revocations.stop();
  });

  app.route({
    method: 'GET',
    url: '/ws',
    config: { scope: 'chat' },
    schema: { tags: ['websocket'], summary: 'Open a WebSocket (upgrade request); the JSON frame protocol is in docs/websocket.md' },
    // A plain GET (no upgrade) gets the error envelope like every other refusal, not the plugin's empty 404.
    handler: async () => {
      throw new TrellisError('API_UPGRADE_REQUIRED', '/ws speaks WebSocket: send the request as a WebSocket upgrade');
    },
    wsHandler: (socket, request) => {
      const principal = principalOf(request);
      const session = new WebSocketSession({
        socket,
        principal,
        runManager: runtime.runManager,
        feedback: runtime.feedback,
        limits,
        logger: request.log,
      });
      heartbeat.track(socket);
      // With auth off there is no key to revoke.
      if (runtime.config.auth.enabled) revocations.track(socket, principal.keyId);
      socket.on('message', (data, isBinary) => {
        if (revocations.allows(socket)) session.handleMessage(data, isBinary);
      });
      socket.once('close', () => session.close());
    },
  });
}
