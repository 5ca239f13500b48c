import { TrellisError } from '../../../core/errors.js';
import type { Runtime } from '../../../runtime/create-runtime.js';
import type { Thread } from '../../../runtime/threads.js';
import type { AssistantCatalog, AssistantEntry } from './assistant-catalog.js';
import { toWireThread, type WireThreadStatus } from './wire.js';

type ThreadRuntime = Pick<Runtime, 'threads' | 'runs' | 'runManager'>;

export interface CreateThreadRequest {
  readonly threadId?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** `raise` (THREAD_EXISTS) or `do_nothing` (return the tenant's existing thread) when the id is taken. */
  readonly ifExists: 'raise' | 'do_nothing';
  /** Binds the thread to this assistant; otherwise to `metadata.graph_id` when that names one. */
  readonly assistant?: AssistantEntry;
}

/**
 * Threads as the protocol creates them. Ids are unique across tenants, so a client-chosen id another tenant holds
 * is refused as taken (THREAD_EXISTS) without saying whose it is or showing anything of it.
 *
 * A thread bound to an assistant carries `graph_id` and `assistant_id` in its metadata, as on LangGraph's server,
 * where clients list a graph's threads by searching for them.
 */
export function createThread(runtime: ThreadRuntime, catalog: AssistantCatalog, tenantId: string, request: CreateThreadRequest): Thread {
  const { threads } = runtime;
  if (request.threadId !== undefined) {
    const own = findThread(runtime, tenantId, request.threadId);
    if (own && request.ifExists === 'do_nothing') return own;
    if (own || threads.exists(request.threadId)) {
      throw new TrellisError('THREAD_EXISTS', `thread ${request.threadId} already exists`, { details: { threadId: request.threadId } });
    }
  }
  const graphId = request.metadata.graph_id;
  const assistant = request.assistant ?? (typeof graphId === 'string' ? catalog.find(graphId) : undefined);
  const metadata = assistant ? { ...request.metadata, ...assistantMetadata(assistant) } : request.metadata;
  return threads.create(tenantId, assistant?.target ?? '', { ...metadata }, request.threadId);
}

/** The metadata keys that tie a thread to the assistant it runs. */
export function assistantMetadata(assistant: AssistantEntry): Record<string, string> {
  return { graph_id: assistant.target, assistant_id: assistant.id };
}

/** The tenant's thread, or undefined when it has none of that id. */
export function findThread(runtime: Pick<Runtime, 'threads'>, tenantId: string, threadId: string): Thread | undefined {
  try {
    return runtime.threads.get(tenantId, threadId);
  } catch (error) {
    if (TrellisError.isInstance(error, 'THREAD_NOT_FOUND')) return undefined;
    throw error;
  }
}

/**
 * The protocol's thread object. Its status comes from its runs: `busy` while one is active, else what the last one
 * ended as (`interrupted` waiting for a person, `error` after a failure, `idle` otherwise); its values and
 * interrupts from its latest checkpoint, read only when the client selected them.
 */
export async function describeThread(runtime: ThreadRuntime, thread: Thread, select?: readonly string[] | null) {
  const wants = (field: string) => !select?.length || select.includes(field);
  const active = runtime.runManager.activeOnThread(thread.id).length > 0;
  const last = active || !(wants('status') || wants('error')) ? undefined : runtime.runManager.list(thread.tenantId, thread.id, { limit: 1 })[0];
  const status: WireThreadStatus = active ? 'busy' : last?.status === 'interrupted' ? 'interrupted' : last?.status === 'failed' ? 'error' : 'idle';
  const state = wants('values') || wants('interrupts') || wants('state_updated_at') ? await runtime.runs.state(thread.tenantId, thread.id) : undefined;
  return toWireThread(thread, { status, state, error: status === 'error' ? (last?.error ?? null) : null });
}
