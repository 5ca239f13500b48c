import type { FastifyReply } from 'fastify';
import type { RunRecord, RunStatus } from '../../../runtime/run-records.js';
import type { ThreadStateSnapshot } from '../../../runtime/runs.js';
import type { Thread } from '../../../runtime/threads.js';
import type { AssistantEntry } from './assistant-catalog.js';
import { wireJson } from './wire-json.js';

/** How the protocol names run states. A cancelled run reads `interrupted`, as on LangGraph's server. */
export type WireRunStatus = 'pending' | 'running' | 'error' | 'success' | 'timeout' | 'interrupted';
export type WireThreadStatus = 'idle' | 'busy' | 'interrupted' | 'error';

const WIRE_RUN_STATUS: Readonly<Record<RunStatus, WireRunStatus>> = {
  pending: 'pending',
  running: 'running',
  completed: 'success',
  interrupted: 'interrupted',
  failed: 'error',
  cancelled: 'interrupted',
};

/** The Trellis statuses a protocol status filter means (none for `timeout`: Trellis runs do not time out). */
export function runStatusesOf(status: WireRunStatus): RunStatus[] {
  return (Object.keys(WIRE_RUN_STATUS) as RunStatus[]).filter((own) => WIRE_RUN_STATUS[own] === status);
}

export function toWireRun(record: RunRecord, assistantId: string) {
  return {
    run_id: record.id,
    thread_id: record.threadId,
    assistant_id: assistantId,
    status: WIRE_RUN_STATUS[record.status],
    metadata: record.metadata,
    kwargs: record.request,
    multitask_strategy: record.multitaskStrategy,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

/** What a thread object shows beyond its row: derived from its runs and its latest checkpoint. */
export interface ThreadView {
  readonly status: WireThreadStatus;
  readonly state: ThreadStateSnapshot | undefined;
  readonly error: RunRecord['error'];
}

export function toWireThread(thread: Thread, view: ThreadView) {
  return {
    thread_id: thread.id,
    created_at: thread.createdAt,
    updated_at: thread.updatedAt,
    state_updated_at: view.state?.createdAt ?? thread.updatedAt,
    metadata: thread.metadata,
    status: view.status,
    values: view.state?.values ?? {},
    interrupts: interruptsOf(view.state),
    config: {},
    error: view.error,
  };
}

/** A checkpoint as the protocol's ThreadState; the empty state (nothing run yet) when there is none. */
export function toWireState(snapshot: ThreadStateSnapshot | undefined) {
  if (!snapshot) return { values: {}, next: [], tasks: [], metadata: null, created_at: null, checkpoint: null, parent_checkpoint: null };
  return {
    values: snapshot.values,
    next: snapshot.next,
    tasks: snapshot.tasks.map((task) => ({
      id: task.id,
      name: task.name,
      error: task.error == null ? null : task.error instanceof Error ? task.error.message : String(task.error),
      interrupts: task.interrupts ?? [],
      checkpoint: null,
      state: null,
      result: (task as { result?: unknown }).result ?? null,
    })),
    metadata: snapshot.metadata ?? null,
    created_at: snapshot.createdAt ?? null,
    checkpoint: checkpointOf(snapshot.config),
    parent_checkpoint: checkpointOf(snapshot.parentConfig),
  };
}

export function toWireAssistant(entry: AssistantEntry, since: string) {
  return {
    assistant_id: entry.id,
    graph_id: entry.target,
    name: entry.target,
    description: entry.description,
    config: {},
    context: {},
    metadata: { created_by: 'system', kind: entry.kind },
    version: 1,
    created_at: since,
    updated_at: since,
  };
}

/** The fields a client asked for (`select`), or all of them. */
export function selectFields<Wire extends object>(wire: Wire, select: readonly string[] | null | undefined): Partial<Wire> {
  if (!select?.length) return wire;
  return Object.fromEntries(Object.entries(wire).filter(([field]) => select.includes(field))) as Partial<Wire>;
}

/** Sends a body that may hold LangChain messages, serialized once the way LangGraph's server does. */
export function sendWire(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(wireJson(body));
}

function interruptsOf(state: ThreadStateSnapshot | undefined): Record<string, readonly unknown[]> {
  const interrupts: Record<string, readonly unknown[]> = {};
  for (const task of state?.tasks ?? []) if (task.interrupts?.length) interrupts[task.id] = task.interrupts;
  return interrupts;
}

/** The protocol's checkpoint reference from a LangGraph config; null when the config names none. */
export function checkpointOf(config: ThreadStateSnapshot['config']) {
  const configurable = config?.configurable;
  if (typeof configurable?.thread_id !== 'string' || typeof configurable.checkpoint_id !== 'string') return null;
  return {
    thread_id: configurable.thread_id,
    checkpoint_ns: typeof configurable.checkpoint_ns === 'string' ? configurable.checkpoint_ns : '',
    checkpoint_id: configurable.checkpoint_id,
    checkpoint_map: (configurable.checkpoint_map as Record<string, unknown> | undefined) ?? null,
  };
}
