import type { RunHandle } from '../../../runtime/run-manager.js';
import type { RunLogEntry } from '../../../runtime/run-log.js';
import type { FrameWriter } from './frame-writer.js';
import type { ServerFrame } from './frames.js';

export interface RunSubscriptionOptions {
  readonly handle: RunHandle;
  /** The last `seq` the client has seen; the stream starts after it. */
  readonly afterSeq: number;
  readonly writer: FrameWriter;
  /** Aborted when the client unsubscribes, subscribes again, or the socket closes. */
  readonly signal: AbortSignal;
}

/**
 * Sends a run's log to one socket, from after `afterSeq` to its end, one frame per entry as it arrives (no batching,
 * so the first token leaves as soon as the run makes it), then `stream-end`. Because entries are read by `seq`, a
 * client that reconnects and subscribes with its last seen `seq` gets every later entry exactly once.
 */
export async function streamRunToSocket(options: RunSubscriptionOptions): Promise<void> {
  const { handle, writer, signal } = options;
  const runId = handle.run.id;
  let lastSeq = options.afterSeq;
  for await (const entry of handle.entries(options.afterSeq, signal)) {
    lastSeq = entry.seq;
    const frame = frameOf(runId, entry);
    if (!frame) continue;
    const backedUp = writer.stream(frame);
    if (backedUp) await backedUp;
    if (!writer.isOpen) return;
  }
  if (signal.aborted) return;
  const record = await handle.done;
  if (!signal.aborted) await writer.stream({ type: 'stream-end', run_id: runId, status: record.status, last_seq: lastSeq });
}

/**
 * The frame of one log entry. Raw LangGraph chunks (recorded only for runs started through the Agent Protocol
 * with extra stream modes) have no frame: their `seq` is skipped, which is why clients track the last `seq` seen
 * rather than count frames.
 */
function frameOf(runId: string, entry: RunLogEntry): ServerFrame | undefined {
  if (entry.kind !== 'event') return undefined;
  const { event, seq } = entry;
  const ts = performance.timeOrigin + performance.now();
  switch (event.type) {
    case 'token-delta':
      return { type: 'token', run_id: runId, seq, ts, node: event.node, text: event.text, namespace: event.namespace };
    case 'approval-request':
      return { type: 'interrupt', run_id: runId, seq, ts, interrupt_id: event.interruptId ?? null, value: event.value };
    case 'run-end': {
      const { state: _state, ...rest } = event;
      return { type: 'event', run_id: runId, seq, ts, event: rest };
    }
    default:
      return { type: 'event', run_id: runId, seq, ts, event };
  }
}
