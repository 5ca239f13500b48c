import type { WebSocket } from 'ws';

/**
 * Pings every tracked socket once per interval and cuts off the ones that did not answer the previous ping: a peer
 * that vanished without closing (a laptop lid, a dropped network) would otherwise hold its socket, and the runs
 * streaming to it, until TCP gave up many minutes later. One timer for all sockets, none on the frame path.
 */
export class Heartbeat {
  private readonly answered = new Map<WebSocket, boolean>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.beat(), intervalMs);
    this.timer.unref();
  }

  track(socket: WebSocket): void {
    this.answered.set(socket, true);
    socket.on('pong', () => this.answered.set(socket, true));
    socket.once('close', () => this.answered.delete(socket));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    for (const [socket, answered] of this.answered) {
      if (!answered) {
        socket.terminate();
        continue;
      }
      this.answered.set(socket, false);
      socket.ping();
    }
  }
}
