import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import { RunSpans } from './run-spans.js';

/**
 * Where a run's config carries its spans, under `configurable`: every node, tool and search of the run sees that
 * config. The `__` prefix keeps it out of the configs the Agent Protocol shows, and LangGraph copies only named keys
 * into metadata, so it never reaches a checkpoint. (Model calls find their run by `run_id` instead: see
 * model-call-tracer.ts.)
 */
export const TRACE_CONFIG_KEY = '__trellis_trace';

type ConfigInScope = { readonly configurable?: Record<string, unknown>; readonly metadata?: Record<string, unknown> } | undefined;

function configInScope(): ConfigInScope {
  return AsyncLocalStorageProviderSingleton.getRunnableConfig() as ConfigInScope;
}

/**
 * The spans of the run this code runs in, read from LangChain's runnable config in scope; undefined outside a traced
 * run (a search from the API or an MCP client, tracing off). LangChain's own async context carries them: a context
 * of Trellis's own would cost every promise of the run a little.
 */
export function currentRunSpans(): RunSpans | undefined {
  const spans = configInScope()?.configurable?.[TRACE_CONFIG_KEY];
  return spans instanceof RunSpans ? spans : undefined;
}

/**
 * The LangGraph task this code runs in, as LangGraph names it in `langgraph_checkpoint_ns`: `agent:<task id>`, or
 * `researcher:<task id>|agent:<task id>` inside a subgraph.
 */
export function currentTaskPath(): string | undefined {
  return taskPathOf(configInScope()?.metadata);
}

/** The task path a LangChain run's metadata names (see `currentTaskPath`). */
export function taskPathOf(metadata: Record<string, unknown> | undefined): string | undefined {
  const path = metadata?.langgraph_checkpoint_ns;
  return typeof path === 'string' && path !== '' ? path : undefined;
}
