import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { TrellisError } from '../../../core/errors.js';
import type { FeedbackService } from '../../../core/tracing/feedback-service.js';
import type { Principal } from '../../../runtime/api-keys.js';
import type { RunHandle, RunManager, StartRunRequest } from '../../../runtime/run-manager.js';
import { feedbackToWire } from '../feedback.js';
import { FrameWriter, type FrameWriterLimits } from './frame-writer.js';
import type { ClientFrame, FrameIdValue } from './frames.js';
import { parseFrame } from './parse-frame.js';
import { streamRunToSocket } from './run-subscription.js';

export interface WebSocketLimits extends FrameWriterLimits {
  /** Frames larger than this are answered with WS_FRAME_TOO_LARGE (the socket stays open). */
  readonly maxFrameBytes: number;
  /** Runs one socket may follow at a time: the ones it subscribes to plus the still-active ones it started. */
  readonly maxRunsPerSocket: number;
}

export interface WebSocketSessionOptions {
  readonly socket: WebSocket;
  readonly principal: Principal;
  readonly runManager: RunManager;
  readonly feedback: FeedbackService;
  readonly limits: WebSocketLimits;
  readonly logger: Pick<FastifyBaseLogger, 'error'>;
}

/**
 * One client connection: reads its frames, acts for its tenant, and streams the runs it follows. A bad frame is
 * answered with an error frame and the socket stays open. Runs outlive the socket: a client that drops reconnects
 * and subscribes again from the last `seq` it saw.
 */
export class WebSocketSession {
  private readonly writer: FrameWriter;
  private readonly subscriptions = new Map<string, AbortController>();
  /** Runs this socket started that are still active: they count against the limit even when nobody follows them. */
  private readonly startedRuns = new Set<string>();

  constructor(private readonly options: WebSocketSessionOptions) {
    this.writer = new FrameWriter(options.socket, options.limits);
  }

  handleMessage(data: RawData, isBinary: boolean): void {
    const parsed = parseFrame(data, isBinary, this.options.limits.maxFrameBytes);
    if (!parsed.ok) {
      this.replyError(parsed.error, parsed.id);
      return;
    }
    const { frame } = parsed;
    this.dispatch(frame).catch((error: unknown) => this.replyError(error, frame.id));
  }

  /** The socket is gone: stop streaming to it. Its runs go on. */
  close(): void {
    for (const subscription of this.subscriptions.values()) subscription.abort();
    this.subscriptions.clear();
  }

  private async dispatch(frame: ClientFrame): Promise<void> {
    const { runManager, principal } = this.options;
    switch (frame.type) {
      case 'start': {
        const { type: _type, id, thread_id, ...fields } = frame;
        return this.startRun(id, { ...fields, threadId: thread_id, clientRequest: { ...fields, thread_id } });
      }
      case 'resume':
        return this.startRun(frame.id, { threadId: frame.thread_id, resume: frame.value });
      case 'approve':
        return this.startRun(frame.id, { threadId: frame.thread_id, resume: { action: 'approve' } });
      case 'reject':
        return this.startRun(frame.id, {
          threadId: frame.thread_id,
          resume: { action: 'reject', ...(frame.reason !== undefined ? { reason: frame.reason } : {}) },
        });
      case 'edit':
        return this.startRun(frame.id, { threadId: frame.thread_id, resume: { action: 'edit', args: frame.args } });
      case 'cancel': {
        const record = await runManager.cancel(principal.tenantId, frame.run_id);
        return this.writer.reply({ type: 'cancelled', ...idOf(frame.id), run_id: record.id, status: record.status });
      }
      case 'subscribe': {
        const handle = runManager.attach(principal.tenantId, frame.run_id);
        if (!this.subscriptions.has(handle.run.id)) this.ensureRoomForRun();
        const { run } = handle;
        this.writer.reply({ type: 'subscribed', ...idOf(frame.id), run_id: run.id, thread_id: run.threadId, status: run.status, after_seq: frame.after_seq });
        return this.follow(handle, frame.after_seq);
      }
      case 'unsubscribe':
        this.subscriptions.get(frame.run_id)?.abort();
        this.subscriptions.delete(frame.run_id);
        return this.writer.reply({ type: 'unsubscribed', ...idOf(frame.id), run_id: frame.run_id });
      case 'ping':
        return this.writer.reply({ type: 'pong', ...idOf(frame.id), ts: performance.timeOrigin + performance.now() });
      case 'feedback': {
        const { run_id, score, comment, name } = frame;
        const record = this.options.feedback.record({ tenantId: principal.tenantId, runId: run_id, score, comment, name });
        return this.writer.reply({ type: 'feedback-recorded', ...idOf(frame.id), feedback: feedbackToWire(record) });
      }
    }
  }

  private startRun(id: FrameIdValue | undefined, request: StartRunRequest): void {
    this.ensureRoomForRun();
    const handle = this.options.runManager.start(this.options.principal.tenantId, request);
    const runId = handle.run.id;
    this.startedRuns.add(runId);
    const forget = () => this.startedRuns.delete(runId);
    handle.done.then(forget, forget);
    // Sent before the run's first frame, which leaves at the earliest on the next turn of the event loop.
    this.writer.reply({ type: 'run-created', ...idOf(id), run_id: runId, thread_id: handle.run.threadId, status: handle.run.status });
    this.follow(handle, 0);
  }

  private ensureRoomForRun(): void {
    const followed = new Set([...this.subscriptions.keys(), ...this.startedRuns]).size;
    const limit = this.options.limits.maxRunsPerSocket;
    if (followed >= limit) {
      throw new TrellisError('WS_RUN_LIMIT', `this socket already follows ${followed} runs; the limit is ${limit}`);
    }
  }

  /** Streams the run to this socket from after `afterSeq`, replacing any stream of the same run it had. */
  private follow(handle: RunHandle, afterSeq: number): void {
    const runId = handle.run.id;
    this.subscriptions.get(runId)?.abort();
    const subscription = new AbortController();
    this.subscriptions.set(runId, subscription);
    streamRunToSocket({ handle, afterSeq, writer: this.writer, signal: subscription.signal })
      .catch((error: unknown) => this.options.logger.error({ err: error, runId }, 'websocket run stream failed'))
      .finally(() => {
        if (this.subscriptions.get(runId) === subscription) this.subscriptions.delete(runId);
      });
  }

  private replyError(error: unknown, id: FrameIdValue | undefined): void {
    const failure = TrellisError.isInstance(error) ? error : new TrellisError('INTERNAL', 'internal error', { cause: error });
    if (failure.status >= 500) this.options.logger.error({ err: error }, 'websocket frame failed');
    this.writer.reply({ type: 'error', ...idOf(id), code: failure.code, message: failure.message, hint: failure.hint });
  }
}

function idOf(id: FrameIdValue | undefined): { id?: FrameIdValue } {
  return id === undefined ? {} : { id };
}
