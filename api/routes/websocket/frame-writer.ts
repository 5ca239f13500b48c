import { WebSocket } from 'ws';
import type { ServerFrame } from './frames.js';

export interface FrameWriterLimits {
  /** Above this many unsent bytes, a run's stream waits for the socket to drain before its next frame. */
  readonly highWaterBytes: number;
  /** Above this many unsent bytes, a client that keeps sending frames without reading the replies is disconnected. */
  readonly maxBufferedBytes: number;
}

/** Close code for a client that does not read what it asked for (RFC 6455 1008, policy violation). */
const CLOSE_SLOW_READER = 1008;

/**
 * Sends frames to one socket without buffering without bound. A run's frames wait for a slow reader (they stay in
 * the run's log meanwhile, which holds them anyway); replies to the client's own frames are sent at once, and a
 * client that lets them pile up is cut off, since waiting would only move the pile into memory here.
 */
export class FrameWriter {
  constructor(
    private readonly socket: WebSocket,
    private readonly limits: FrameWriterLimits,
  ) {}

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  reply(frame: ServerFrame): void {
    if (!this.isOpen) return;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.socket.close(CLOSE_SLOW_READER, 'client reads too slowly');
      return;
    }
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends one frame of a run's stream; resolves at once unless the socket is backed up, then once it has drained. */
  stream(frame: ServerFrame): Promise<void> | undefined {
    if (!this.isOpen) return undefined;
    const data = JSON.stringify(frame);
    if (this.socket.bufferedAmount < this.limits.highWaterBytes) {
      this.socket.send(data);
      return undefined;
    }
    // The callback runs once this frame, and so everything queued before it, is written out (or the socket closed).
    return new Promise((resolve) => this.socket.send(data, () => resolve()));
  }
}
