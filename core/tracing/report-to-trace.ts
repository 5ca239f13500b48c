import { randomUUID } from 'node:crypto';
import type { CallbackManager } from '@langchain/core/callbacks/manager';
import type { DocumentInterface } from '@langchain/core/documents';
import type { RunnableConfig } from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { TraceCallbackHandler } from './trace-callback-handler.js';

/** Where a report goes: the run's trace handler, and the LangChain run (node, tool) to hang it under. */
export interface TraceScope {
  readonly handler: TraceCallbackHandler;
  readonly parentRunId: string | undefined;
}

/**
 * The trace of the runnable this code runs inside (a graph node), read from LangChain's run config in scope;
 * undefined outside a traced run (a search from the API, a tool from an MCP server, tracing off).
 */
export function traceInScope(): TraceScope | undefined {
  const callbacks = (AsyncLocalStorageProviderSingleton.getRunnableConfig() as RunnableConfig | undefined)?.callbacks;
  if (!callbacks) return undefined;
  const manager = Array.isArray(callbacks) ? undefined : (callbacks as CallbackManager);
  const handlers: readonly unknown[] = manager ? manager.handlers : (callbacks as readonly unknown[]);
  const handler = handlers.find((candidate) => candidate instanceof TraceCallbackHandler);
  return handler ? { handler: handler as TraceCallbackHandler, parentRunId: manager?.getParentRunId() } : undefined;
}

/**
 * Work that LangChain does not run itself (a Trellis tool called by the react graph's tools node, a knowledge-base
 * search called by a graph node or a tool) reported to the run's trace handler as the tool or retriever run
 * LangChain would have reported: the handler stays the one source of spans below the root.
 *
 * `work` receives the scope of the tool run itself, for what runs inside it (a search) to hang under it. The handler
 * is called directly, not through LangChain's CallbackManager: a manager and a run scope per call would cost about
 * as much as the rest of the run's tracing.
 */
export async function reportToolRun<T>(
  name: string,
  input: unknown,
  work: (scope: TraceScope | undefined) => Promise<T>,
  scope: TraceScope | undefined = traceInScope(),
): Promise<T> {
  if (!scope) return work(undefined);
  const { handler } = scope;
  const runId = randomUUID();
  handler.handleToolStart({ lc: 1, type: 'not_implemented', id: ['trellis', 'tools', name] }, JSON.stringify(input) ?? '', runId, scope.parentRunId, undefined, undefined, name);
  let output: T;
  try {
    output = await work({ handler, parentRunId: runId });
  } catch (error) {
    handler.handleToolError(error, runId);
    throw error;
  }
  handler.handleToolEnd(output, runId);
  return output;
}

/** What a retrieval searched: shown on its span. */
export interface RetrievalDescription {
  readonly kb: string;
  readonly query: string;
  /** The mode asked for; the knowledge service's default (`hybrid`) when absent. */
  readonly mode?: string;
}

/**
 * Reports a knowledge-base search as a retriever run (see `reportToolRun`); `documentsOf` turns its result into the
 * documents the run ends with (their count and, when content is kept, their text and sources).
 */
export async function reportRetrieverRun<T>(
  retrieval: RetrievalDescription,
  work: () => Promise<T>,
  documentsOf: (result: T) => DocumentInterface[],
  scope: TraceScope | undefined = traceInScope(),
): Promise<T> {
  if (!scope) return work();
  const { handler } = scope;
  const runId = randomUUID();
  handler.handleRetrieverStart(
    { lc: 1, type: 'not_implemented', id: ['trellis', 'retrievers', 'knowledge_search'] },
    retrieval.query,
    runId,
    scope.parentRunId,
    undefined,
    { retrieval_kb: retrieval.kb, retrieval_mode: retrieval.mode ?? 'hybrid' },
    'knowledge_search',
  );
  let result: T;
  try {
    result = await work();
  } catch (error) {
    handler.handleRetrieverError(error, runId);
    throw error;
  }
  handler.handleRetrieverEnd(documentsOf(result), runId);
  return result;
}
