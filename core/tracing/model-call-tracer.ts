import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import { modelRequestOf } from './model-call.js';
import type { RunSpans } from './run-spans.js';
import { taskPathOf } from './trace-scope.js';

/**
 * The LangChain callback handler that turns chat model calls into spans (with the GenAI semantic-convention
 * attributes and Langfuse's generation fields) in the trace of the run they are made in. It is attached to the
 * chat model itself, not to the graph: LangChain then calls it for model calls only, instead of for every runnable
 * a graph runs (nodes, edges, channel writes), which would cost a zero-latency run more than all its spans.
 *
 * One handler serves every run: a call finds its run by the `run_id` LangGraph copies from the run's configurable
 * into the call's metadata (LangChain calls handlers outside the runnable's async context, so the config in scope
 * is not theirs to read), and its node by the task path beside it (trace-scope.ts). A call outside a traced run
 * makes no span.
 */
export class ModelCallTracer extends BaseCallbackHandler {
  readonly name = 'trellis_model_tracing';
  // Spans start and end in the order the calls do; every method is cheap.
  override awaitHandlers = true;
  /** The run of each call under way: a call's end names only the call. */
  private readonly calls = new Map<string, RunSpans>();

  /** `runOf` finds a traced run's spans by its run id, while the run lasts. */
  constructor(private readonly runOf: (runId: string) => RunSpans | undefined) {
    super();
  }

  /** LangChain copies handlers in some paths; a copy is this handler. */
  override copy(): this {
    return this;
  }

  override handleChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.started(runId, llm, extraParams, metadata, messages[0] ?? []);
  }

  override handleLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.started(runId, llm, extraParams, metadata, prompts.length === 1 ? prompts[0] : prompts);
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    this.take(runId)?.modelEnded(runId, output);
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.take(runId)?.modelFailed(runId, error);
  }

  /** Forgets the calls of a run that ended while they were under way (a cancel): the run has ended their spans. */
  forget(run: RunSpans): void {
    for (const [callId, owner] of this.calls) if (owner === run) this.calls.delete(callId);
  }

  private take(callId: string): RunSpans | undefined {
    const run = this.calls.get(callId);
    this.calls.delete(callId);
    return run;
  }

  private started(
    callId: string,
    llm: Serialized,
    extraParams: Record<string, unknown> | undefined,
    metadata: Record<string, unknown> | undefined,
    input: unknown,
  ): void {
    const runId = metadata?.run_id;
    const run = typeof runId === 'string' ? this.runOf(runId) : undefined;
    if (!run) return;
    this.calls.set(callId, run);
    run.modelStarted({ callId, taskPath: taskPathOf(metadata), model: modelRequestOf(llm, extraParams, metadata), input });
  }
}
