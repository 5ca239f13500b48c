import { z } from 'zod';

/**
 * Request and response shapes of the LangGraph Agent Protocol subset, as `@langchain/langgraph-sdk`'s Client sends
 * and reads them (snake_case on the wire). Requests keep only the fields Trellis reads; unknown fields are dropped,
 * so a newer SDK that sends more still works. Responses are loose: state values are whatever a graph holds.
 */

/** Stream modes of the protocol; `events` (LangChain callback events) is the one Trellis does not serve. */
export const WIRE_STREAM_MODES = ['values', 'updates', 'messages', 'messages-tuple', 'custom', 'tasks', 'checkpoints', 'debug', 'events'] as const;
export type WireStreamMode = (typeof WIRE_STREAM_MODES)[number];
const StreamModeSchema = z.enum(WIRE_STREAM_MODES);

export const MULTITASK_STRATEGIES = ['reject', 'interrupt', 'rollback', 'enqueue'] as const;

const Metadata = z.record(z.string(), z.unknown());
const Id = z.string().min(1).max(256);
const Limit = z.number().int().min(1).max(1000);
const Offset = z.number().int().min(0);

export const ThreadParams = z.object({ thread_id: Id });
export const RunParams = z.object({ thread_id: Id, run_id: Id });
export const StatelessRunParams = z.object({ run_id: Id });
export const AssistantParams = z.object({ assistant_id: Id });

export const RunCreateBody = z.object({
  assistant_id: Id.describe('A graph or agent name (rag, research, pipeline, assistant, ...) or its assistant id'),
  input: z.unknown().optional().describe('`{ messages: [{ role: "user", content: "..." }] }`: one user message per run'),
  command: z
    .object({ resume: z.unknown().optional(), goto: z.unknown().optional(), update: z.unknown().optional() })
    .nullish()
    .describe('`{ resume }` answers a pending interrupt, e.g. `{ resume: { action: "approve" } }`'),
  metadata: Metadata.nullish(),
  config: z.looseObject({ configurable: Metadata.optional() }).nullish().describe('`configurable.kb` names the knowledge base'),
  context: z.unknown().optional().describe('`{ kb }` names the knowledge base'),
  stream_mode: z.union([StreamModeSchema, z.array(StreamModeSchema)]).optional(),
  stream_subgraphs: z.boolean().optional(),
  stream_resumable: z.boolean().optional().describe('Accepted; every run can be rejoined while its log is kept'),
  on_disconnect: z.enum(['cancel', 'continue']).optional(),
  on_completion: z.enum(['delete', 'keep']).optional().describe('Stateless runs: keep or delete their temporary thread'),
  multitask_strategy: z.enum(MULTITASK_STRATEGIES).optional(),
  if_not_exists: z.enum(['reject', 'create']).optional(),
  interrupt_before: z.union([z.literal('*'), z.array(z.string())]).optional(),
  interrupt_after: z.union([z.literal('*'), z.array(z.string())]).optional(),
  checkpoint_id: z.string().optional(),
  checkpoint: Metadata.optional(),
  webhook: z.string().optional(),
  after_seconds: z.number().optional(),
});
export type RunCreateBody = z.output<typeof RunCreateBody>;

export const ThreadCreateBody = z.object({
  thread_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'letters, digits and . _ : - (at most 128)').optional(),
  metadata: Metadata.nullish().describe('`graph_id` binds the thread to that graph or agent'),
  if_exists: z.enum(['raise', 'do_nothing']).optional(),
  supersteps: z.array(z.unknown()).optional(),
  ttl: z.unknown().optional(),
});

export const ThreadSearchBody = z.object({
  metadata: Metadata.nullish(),
  ids: z.array(Id).max(1000).nullish(),
  status: z.enum(['idle', 'busy', 'interrupted', 'error']).nullish(),
  values: Metadata.nullish(),
  limit: Limit.optional(),
  offset: Offset.optional(),
  sort_by: z.string().max(64).nullish(),
  sort_order: z.enum(['asc', 'desc']).nullish(),
  select: z.array(z.string().max(64)).max(32).nullish(),
});

export const ThreadPatchBody = z.object({ metadata: Metadata.nullish(), ttl: z.unknown().optional() });

export const HistoryBody = z.object({
  limit: Limit.optional(),
  before: z.union([z.string(), z.looseObject({ configurable: z.looseObject({ checkpoint_id: z.string().optional() }).optional() })]).nullish(),
  metadata: Metadata.nullish(),
  checkpoint: Metadata.nullish(),
});
export const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), before: z.string().max(256).optional() });

export const AssistantSearchBody = z.object({
  graph_id: z.string().max(256).nullish(),
  name: z.string().max(256).nullish(),
  metadata: Metadata.nullish(),
  limit: Limit.optional(),
  offset: Offset.optional(),
  sort_by: z.string().max(64).nullish(),
  sort_order: z.enum(['asc', 'desc']).nullish(),
  select: z.array(z.string().max(64)).max(32).nullish(),
});
export const AssistantCountBody = AssistantSearchBody.pick({ graph_id: true, name: true, metadata: true });

/** Lists in a query string: the SDK sends an array as its JSON text, a single value as itself. */
const QueryList = z.string().max(2000).transform((text, context) => {
  if (!text.startsWith('[')) return [text];
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed as string[];
  } catch {
    // Reported below, like any other list that is not one.
  }
  context.addIssue({ code: 'custom', message: 'expected a value or a JSON array of strings' });
  return z.NEVER;
});
const QueryFlag = z.enum(['0', '1', 'true', 'false']).transform((flag) => flag === '1' || flag === 'true');

export const RunListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
  status: z.enum(['pending', 'running', 'error', 'success', 'timeout', 'interrupted']).optional(),
  select: QueryList.optional(),
});
export const JoinStreamQuery = z.object({
  stream_mode: QueryList.pipe(z.array(StreamModeSchema)).optional(),
  cancel_on_disconnect: QueryFlag.optional(),
});
export const CancelQuery = z.object({ wait: QueryFlag.optional(), action: z.enum(['interrupt', 'rollback']).optional() });

const Checkpoint = z.object({
  thread_id: z.string(),
  checkpoint_ns: z.string(),
  checkpoint_id: z.string().nullable(),
  checkpoint_map: z.record(z.string(), z.unknown()).nullable(),
});

export const WireAssistant = z.object({
  assistant_id: z.string(),
  graph_id: z.string(),
  name: z.string(),
  description: z.string(),
  config: z.record(z.string(), z.unknown()),
  context: z.record(z.string(), z.unknown()),
  metadata: Metadata,
  version: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const WireRun = z.object({
  run_id: z.string(),
  thread_id: z.string(),
  assistant_id: z.string(),
  status: z.enum(['pending', 'running', 'error', 'success', 'timeout', 'interrupted']),
  metadata: Metadata,
  kwargs: z.record(z.string(), z.unknown()),
  multitask_strategy: z.enum(MULTITASK_STRATEGIES),
  created_at: z.string(),
  updated_at: z.string(),
});

export const WireThread = z.object({
  thread_id: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  state_updated_at: z.string(),
  metadata: Metadata,
  status: z.enum(['idle', 'busy', 'interrupted', 'error']),
  values: z.unknown(),
  interrupts: z.record(z.string(), z.array(z.unknown())),
  config: z.record(z.string(), z.unknown()),
  error: z.unknown(),
});

export const WireThreadState = z.object({
  values: z.unknown(),
  next: z.array(z.string()),
  tasks: z.array(z.looseObject({ id: z.string(), name: z.string(), interrupts: z.array(z.unknown()) })),
  metadata: z.unknown(),
  created_at: z.string().nullable(),
  checkpoint: Checkpoint.nullable(),
  parent_checkpoint: Checkpoint.nullable(),
});

/** What `wait` and `join` answer: the run's last state values, or `{ __error__ }` when it failed. */
export const WireRunOutput = z.unknown();
