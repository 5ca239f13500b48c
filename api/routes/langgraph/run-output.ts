import { TrellisError } from '../../../core/errors.js';
import type { RunHandle } from '../../../runtime/run-manager.js';
import type { RunRecord } from '../../../runtime/run-records.js';
import type { ProtocolContext } from './protocol-context.js';
import { findThread } from './protocol-threads.js';

/**
 * What `wait` and `join` answer once the run is over, as LangGraph's server does: the run's last state values
 * (`{ __interrupt__: [...] }` when it stopped for a person), or `{ __error__: { error, message } }` when it failed.
 * When the run's log is no longer kept (it ended long ago, or before a restart), the thread's current values.
 */
export async function runOutput(context: ProtocolContext, tenantId: string, handle: RunHandle): Promise<unknown> {
  await handle.done;
  let output: unknown;
  for await (const entry of handle.entries()) {
    if (entry.kind !== 'event') continue;
    if (entry.event.type === 'run-end') output = entry.event.state;
    else if (entry.event.type === 'run-error') output = { __error__: { error: entry.event.code, message: entry.event.message } };
  }
  if (output !== undefined) return output;
  const thread = findThread(context.runtime, tenantId, handle.run.threadId);
  return thread ? ((await context.runtime.runs.state(tenantId, thread.id))?.values ?? null) : null;
}

/** A run of the tenant must also be on the thread the URL names: another thread's run reads as unknown. */
export function assertRunOnThread(run: RunRecord, threadId: string): void {
  if (run.threadId !== threadId) throw new TrellisError('RUN_NOT_FOUND', `run ${run.id} not found on thread ${threadId}`, { details: { runId: run.id } });
}
