import { z } from 'zod';
import type { RunEvent } from '../../../graphs/run-events.js';
import type { RunStatus } from '../../../runtime/run-records.js';
import { FeedbackInput, type FeedbackSchema } from '../feedback.js';

/** Any client frame may carry an id; the server echoes it in the reply, so a client can match the two. */
const FrameId = z.union([z.string().max(200), z.number().int()]);
const ThreadId = z.string().min(1).max(256);
const RunId = z.string().min(1).max(256);

// Strict objects: a misspelt field (`threadId` for `thread_id`) is refused instead of silently ignored.
export const StartFrame = z.strictObject({
  type: z.literal('start'),
  id: FrameId.optional(),
  /** A graph (`rag`, `research`, `pipeline`) or an agent name; a thread's own target when absent. */
  target: z.string().min(1).max(200).optional(),
  /** Continue this thread; a new thread is created when absent. */
  thread_id: ThreadId.optional(),
  message: z.string().min(1),
  kb: z.string().min(1).max(256).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** Answers a thread's approval request with any resume value `graphs/approval.ts` accepts. */
export const ResumeFrame = z.strictObject({
  type: z.literal('resume'),
  id: FrameId.optional(),
  thread_id: ThreadId,
  value: z.unknown().refine((value) => value !== undefined, 'value is required'),
});

/** Shorthands for one decision covering every pending tool call. */
export const ApproveFrame = z.strictObject({ type: z.literal('approve'), id: FrameId.optional(), thread_id: ThreadId });
export const RejectFrame = z.strictObject({
  type: z.literal('reject'),
  id: FrameId.optional(),
  thread_id: ThreadId,
  reason: z.string().max(2000).optional(),
});
export const EditFrame = z.strictObject({
  type: z.literal('edit'),
  id: FrameId.optional(),
  thread_id: ThreadId,
  args: z.record(z.string(), z.unknown()),
});

export const CancelFrame = z.strictObject({ type: z.literal('cancel'), id: FrameId.optional(), run_id: RunId });

/** Follows a run from after `after_seq` (0: from its start); what a client sends after reconnecting. */
export const SubscribeFrame = z.strictObject({
  type: z.literal('subscribe'),
  id: FrameId.optional(),
  run_id: RunId,
  after_seq: z.number().int().min(0).default(0),
});
export const UnsubscribeFrame = z.strictObject({ type: z.literal('unsubscribe'), id: FrameId.optional(), run_id: RunId });
export const PingFrame = z.strictObject({ type: z.literal('ping'), id: FrameId.optional() });
/** Scores a run of this tenant, as `POST /threads/{thread_id}/feedback` does. */
export const FeedbackFrame = z.strictObject({ type: z.literal('feedback'), id: FrameId.optional(), ...FeedbackInput });

export const CLIENT_FRAMES = {
  start: StartFrame,
  resume: ResumeFrame,
  approve: ApproveFrame,
  reject: RejectFrame,
  edit: EditFrame,
  cancel: CancelFrame,
  subscribe: SubscribeFrame,
  unsubscribe: UnsubscribeFrame,
  ping: PingFrame,
  feedback: FeedbackFrame,
} as const;

export type ClientFrameType = keyof typeof CLIENT_FRAMES;
export type ClientFrame = { [Type in ClientFrameType]: z.output<(typeof CLIENT_FRAMES)[Type]> }[ClientFrameType];
export type FrameIdValue = z.output<typeof FrameId>;

/** A run's final event as sent over the socket: without `state`, which the thread's state endpoint serves. */
export type StreamedRunEvent = Exclude<RunEvent, { type: 'token-delta' | 'approval-request' | 'run-end' }> | Omit<Extract<RunEvent, { type: 'run-end' }>, 'state'>;

/** Fields every frame of a run's stream has: the run, the entry's `seq` in the run's log, the server's clock (ms). */
interface StreamFrameBase {
  readonly run_id: string;
  readonly seq: number;
  readonly ts: number;
}

/** What the server sends. Stream frames carry a run's log entries; the others answer one client frame each. */
export type ServerFrame =
  | (StreamFrameBase & { readonly type: 'token'; readonly node: string; readonly text: string; readonly namespace: readonly string[] })
  | (StreamFrameBase & { readonly type: 'interrupt'; readonly interrupt_id: string | null; readonly value: unknown })
  | (StreamFrameBase & { readonly type: 'event'; readonly event: StreamedRunEvent })
  | { readonly type: 'stream-end'; readonly run_id: string; readonly status: RunStatus; readonly last_seq: number }
  | { readonly type: 'run-created'; readonly id?: FrameIdValue; readonly run_id: string; readonly thread_id: string; readonly status: RunStatus }
  | { readonly type: 'subscribed'; readonly id?: FrameIdValue; readonly run_id: string; readonly thread_id: string; readonly status: RunStatus; readonly after_seq: number }
  | { readonly type: 'unsubscribed'; readonly id?: FrameIdValue; readonly run_id: string }
  | { readonly type: 'cancelled'; readonly id?: FrameIdValue; readonly run_id: string; readonly status: RunStatus }
  | { readonly type: 'pong'; readonly id?: FrameIdValue; readonly ts: number }
  | { readonly type: 'feedback-recorded'; readonly id?: FrameIdValue; readonly feedback: z.input<typeof FeedbackSchema> }
  | { readonly type: 'error'; readonly id?: FrameIdValue; readonly code: string; readonly message: string; readonly hint: string };
