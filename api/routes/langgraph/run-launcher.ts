import { TrellisError } from '../../../core/errors.js';
import type { RunHandle } from '../../../runtime/run-manager.js';
import { assistantMetadata, createThread, findThread } from './protocol-threads.js';
import type { ProtocolContext } from './protocol-context.js';
import { planRun, type RunPlan } from './run-plan.js';
import type { RunCreateBody } from './schemas.js';

export interface LaunchedRun {
  readonly handle: RunHandle;
  readonly plan: RunPlan;
  /** The run's path, sent as `Content-Location` (the SDK reads the run and thread ids from it). */
  readonly location: string;
}

/**
 * Starts a run of the protocol on a thread of the tenant, or, without a thread, on a temporary one that nothing
 * stores and that is gone once the run is over (unless the client asked to keep it: then it is an ordinary new
 * thread). Everything a client can get wrong is checked before the run starts, so that it is answered with a 4xx
 * rather than a failed run.
 */
export function launchRun(context: ProtocolContext, tenantId: string, threadId: string | undefined, body: RunCreateBody): LaunchedRun {
  const { runtime } = context;
  const plan = planRun(body, context.catalog);
  if (threadId !== undefined) prepareThread(context, tenantId, threadId, plan);
  const temporary = threadId === undefined && !plan.keepThread;
  const handle = runtime.runManager.start(tenantId, { ...plan.start, threadId, ...(temporary ? { temporaryThread: 'discard' as const } : {}) });
  const runId = handle.run.id;
  return { handle, plan, location: threadId === undefined ? `/runs/${runId}` : `/threads/${threadId}/runs/${runId}` };
}

function prepareThread(context: ProtocolContext, tenantId: string, threadId: string, plan: RunPlan): void {
  const { runtime, catalog } = context;
  const thread = findThread(runtime, tenantId, threadId);
  if (!thread) {
    if (!plan.createThreadIfMissing) throw new TrellisError('THREAD_NOT_FOUND', `thread ${threadId} not found`, { details: { threadId } });
    createThread(runtime, catalog, tenantId, { threadId, metadata: {}, ifExists: 'raise', assistant: plan.assistant });
    return;
  }
  if (!thread.target) {
    runtime.threads.updateMetadata(thread, assistantMetadata(plan.assistant));
    return;
  }
  if (thread.target !== plan.assistant.target) {
    throw new TrellisError('LANGGRAPH_UNSUPPORTED', `thread ${threadId} runs ${thread.target}; it cannot run ${plan.assistant.target}`, {
      hint: `A Trellis thread keeps the assistant of its first run: run ${thread.target} on it, or start a new thread for ${plan.assistant.target}.`,
    });
  }
}
