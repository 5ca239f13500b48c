import type { WebSocket } from 'ws';

/** The close code a socket gets when its key is revoked: policy violation, as for any refused client. */
export const CLOSE_KEY_REVOKED = 1008;

/**
 * Closes the sockets whose API key has been revoked. An HTTP request is checked against its key's row on every
 * request; a socket was checked once, at the upgrade, and would otherwise go on streaming for as long as it stays
 * open. Each frame a client sends is checked (`allows`), and one timer checks every socket, for those that only
 * listen to their runs.
 */
export class RevocationWatch {
  private readonly keys = new Map<WebSocket, string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly isActive: (keyId: string) => boolean,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.sweep(), intervalMs);
    this.timer.unref();
  }

  track(socket: WebSocket, keyId: string): void {
    this.keys.set(socket, keyId);
    socket.once('close', () => this.keys.delete(socket));
  }

  /** True while the socket's key is active; closes the socket and answers false once it is not. */
  allows(socket: WebSocket): boolean {
    const keyId = this.keys.get(socket);
    if (keyId === undefined || this.isActive(keyId)) return true;
    this.keys.delete(socket);
    socket.close(CLOSE_KEY_REVOKED, 'API key revoked');
    return false;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sweep(): void {
    for (const socket of [...this.keys.keys()]) this.allows(socket);
  }
}
