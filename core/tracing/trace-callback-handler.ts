import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { DocumentInterface } from '@langchain/core/documents';
import type { Serialized } from '@langchain/core/load/serializable';
import { ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { ChainValues } from '@langchain/core/utils/types';
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { TrellisError } from '../errors.js';
import { ATTR, type SpanKind } from './attributes.js';
import { costOf, modelRequestOf, modelResponseOf, type ModelPrice, type ModelRequest } from './model-call.js';
import { boundedJson, boundedText } from './span-content.js';
import type { SpanFinisher } from './span-finisher.js';

/** The name LangChain knows the handler by (in its warnings when a handler fails). */
const TRACE_HANDLER_NAME = 'trellis_tracing';

/** Langfuse's observation types, which pick the icon and view of each span in its UI. */
type ObservationType = 'agent' | 'chain' | 'generation' | 'tool' | 'retriever' | 'span';

export interface TraceCallbackHandlerOptions {
  readonly tracer: Tracer;
  /** The run's root span: LangGraph's own top-level chain and everything without a known parent hang under it. */
  readonly root: Span;
  /** Attributes every span of the run carries (tenant, thread, run, session, user, agent). */
  readonly common: Attributes;
  /** Adds `common` to each span when it leaves, rather than while the run waits. */
  readonly finisher: SpanFinisher;
  /** Whether any sink keeps inputs and outputs; when none does, they are never serialised. */
  readonly keepContent: boolean;
  readonly prices: Readonly<Record<string, ModelPrice>>;
}

interface OpenRun {
  readonly span: Span;
  /** False for LangChain runs that are plumbing: they make no span, and their children hang under `span`. */
  readonly owned: boolean;
  readonly model?: ModelRequest;
}

/**
 * Turns one run's LangChain callbacks into OpenTelemetry spans: graph nodes, chat model calls (with the GenAI
 * semantic-convention attributes and Langfuse's generation fields), tool calls and retrievals, parented through
 * LangChain's run ids under the run's root span. LangGraph's plumbing (its own graph chain, `__start__`, edges,
 * branches, sequences inside a node) makes no span; what runs inside it hangs under the nearest span.
 *
 * One handler per run (it holds that run's open spans). Every method is synchronous and cheap, and is awaited by
 * LangChain (`awaitHandlers`), so spans start and end in the order the work does. A failure in here is LangChain's
 * to log; it never fails the run.
 */
export class TraceCallbackHandler extends BaseCallbackHandler {
  readonly name = TRACE_HANDLER_NAME;
  override awaitHandlers = true;
  private readonly runs = new Map<string, OpenRun>();

  constructor(private readonly options: TraceCallbackHandlerOptions) {
    super();
  }

  /** LangChain copies handlers in some paths; a copy must keep writing to the same run's spans. */
  override copy(): this {
    return this;
  }

  // The parameters in the order CallbackManager passes them (manager.js); @langchain/core 1.4's declaration of this
  // method lists them in another order (runType fourth, parentRunId eighth), which its own BaseTracer ignores too.
  override handleChainStart(
    _chain: Serialized,
    _inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
    _runType?: string,
    runName?: string,
  ): void {
    if (runName === undefined || !isGraphNode(runName, tags, metadata)) {
      this.runs.set(runId, { span: this.spanOf(parentRunId), owned: false });
      return;
    }
    // A node span carries no content: its input is the whole graph state and its output a state update, whose
    // parts (prompts, answers, tool results, passages) are on the model, tool and retrieval spans below it.
    // Serialising states at every step would cost more than the rest of tracing together.
    this.open(runId, parentRunId, `node ${runName}`, 'node', 'chain', { [ATTR.node]: runName });
  }

  override handleChainEnd(_outputs: ChainValues, runId: string): void {
    const run = this.take(runId);
    if (run) succeed(run.span);
  }

  override handleChainError(error: unknown, runId: string): void {
    this.fail(runId, error);
  }

  override handleChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.openModelCall(runId, parentRunId, modelRequestOf(llm, extraParams, metadata), () => boundedJson(messages[0] ?? []));
  }

  override handleLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    this.openModelCall(runId, parentRunId, modelRequestOf(llm, extraParams, metadata), () => boundedJson(prompts.length === 1 ? prompts[0] : prompts));
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const run = this.take(runId);
    if (!run) return;
    const response = modelResponseOf(output);
    const attributes: Attributes = {};
    if (response.model) attributes[ATTR.genAiResponseModel] = response.model;
    if (response.finishReasons.length > 0) attributes[ATTR.genAiFinishReasons] = [...response.finishReasons];
    const { inputTokens, outputTokens } = response;
    if (inputTokens !== undefined) attributes[ATTR.genAiInputTokens] = inputTokens;
    if (outputTokens !== undefined) attributes[ATTR.genAiOutputTokens] = outputTokens;
    if (inputTokens !== undefined || outputTokens !== undefined) {
      const input = inputTokens ?? 0;
      const output = outputTokens ?? 0;
      attributes[ATTR.langfuseUsage] = JSON.stringify({ input, output, total: input + output });
      const price = this.options.prices[response.model ?? ''] ?? this.options.prices[run.model?.model ?? ''];
      if (price) {
        const cost = costOf(price, input, output);
        attributes[ATTR.costUsd] = cost.total;
        attributes[ATTR.langfuseCost] = JSON.stringify(cost);
      }
    }
    if (this.options.keepContent) attributes[ATTR.langfuseOutput] = response.message ? boundedJson(response.message) : boundedText(response.text);
    run.span.setAttributes(attributes);
    succeed(run.span);
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.fail(runId, error);
  }

  override handleToolStart(
    tool: Serialized,
    input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    const name = runName ?? tool.id.at(-1) ?? 'tool';
    this.open(runId, parentRunId, `tool ${name}`, 'tool', 'tool', {
      [ATTR.genAiOperation]: 'execute_tool',
      [ATTR.genAiToolName]: name,
      ...(toolCallId ? { [ATTR.genAiToolCallId]: toolCallId } : {}),
      ...(this.options.keepContent ? { [ATTR.langfuseInput]: boundedText(input) } : {}),
    });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    const run = this.take(runId);
    if (!run) return;
    if (this.options.keepContent) run.span.setAttribute(ATTR.langfuseOutput, boundedJson(ToolMessage.isInstance(output) ? output.content : output));
    // A LangChain tool reports a failure the model should see as a ToolMessage with status `error`.
    if (ToolMessage.isInstance(output) && output.status === 'error') {
      markFailed(run.span, new Error(typeof output.content === 'string' ? output.content : 'tool call failed'));
      run.span.end();
      return;
    }
    succeed(run.span);
  }

  override handleToolError(error: unknown, runId: string): void {
    this.fail(runId, error);
  }

  override handleRetrieverStart(
    _retriever: Serialized,
    query: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    name?: string,
  ): void {
    const kb = typeof metadata?.retrieval_kb === 'string' ? metadata.retrieval_kb : undefined;
    const mode = typeof metadata?.retrieval_mode === 'string' ? metadata.retrieval_mode : undefined;
    this.open(runId, parentRunId, `retrieve ${kb ?? name ?? 'documents'}`, 'retrieval', 'retriever', {
      ...(kb ? { [ATTR.retrievalKb]: kb } : {}),
      ...(mode ? { [ATTR.retrievalMode]: mode } : {}),
      ...(this.options.keepContent ? { [ATTR.langfuseInput]: boundedText(query) } : {}),
    });
  }

  override handleRetrieverEnd(documents: DocumentInterface[], runId: string): void {
    const run = this.take(runId);
    if (!run) return;
    run.span.setAttribute(ATTR.retrievalHits, documents.length);
    if (this.options.keepContent) {
      run.span.setAttribute(ATTR.langfuseOutput, boundedJson(documents.map((document) => ({ text: document.pageContent, ...document.metadata }))));
    }
    succeed(run.span);
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    this.fail(runId, error);
  }

  /**
   * Ends the spans still open when the run ends (work cut off by a cancel or a crash of the graph), with the run's
   * failure when there was one. Called once, before the root span ends.
   */
  finish(failure?: unknown): void {
    for (const run of this.runs.values()) {
      if (!run.owned) continue;
      if (failure !== undefined) markFailed(run.span, failure);
      run.span.end();
    }
    this.runs.clear();
  }

  private openModelCall(runId: string, parentRunId: string | undefined, model: ModelRequest, input: () => string): void {
    this.open(
      runId,
      parentRunId,
      `chat ${model.model}`,
      'llm',
      'generation',
      {
        [ATTR.genAiOperation]: 'chat',
        [ATTR.genAiRequestModel]: model.model,
        [ATTR.langfuseModel]: model.model,
        ...(model.system ? { [ATTR.genAiSystem]: model.system } : {}),
        ...(this.options.keepContent ? { [ATTR.langfuseInput]: input() } : {}),
      },
      model,
    );
  }

  private open(runId: string, parentRunId: string | undefined, name: string, kind: SpanKind, type: ObservationType, attributes: Attributes, model?: ModelRequest): void {
    const parent = trace.setSpan(ROOT_CONTEXT, this.spanOf(parentRunId));
    attributes[ATTR.spanKind] = kind;
    attributes[ATTR.langfuseObservationType] = type;
    const span = this.options.tracer.startSpan(name, { attributes }, parent);
    this.options.finisher.attach(span, this.options.common);
    this.runs.set(runId, { span, owned: true, model });
  }

  private spanOf(runId: string | undefined): Span {
    return (runId === undefined ? undefined : this.runs.get(runId)?.span) ?? this.options.root;
  }

  /** The run's span when this handler made one for it; forgets the run either way. */
  private take(runId: string): OpenRun | undefined {
    const run = this.runs.get(runId);
    this.runs.delete(runId);
    return run?.owned ? run : undefined;
  }

  private fail(runId: string, error: unknown): void {
    const run = this.take(runId);
    if (!run) return;
    // An interrupt (waiting for a person's approval) travels as an exception but is no failure.
    if (isBubbleUp(error)) run.span.setAttribute(ATTR.langfuseStatusMessage, 'interrupted');
    else markFailed(run.span, error);
    run.span.end();
  }
}

/**
 * Marks a span failed: ERROR status with the message, the Trellis error code (given, or the error's own), Langfuse's
 * level, and the exception as an event.
 */
export function markFailed(span: Span, error: unknown, code?: string): void {
  const message = error instanceof Error ? error.message : String(error);
  const errorCode = code ?? (TrellisError.isInstance(error) ? error.code : undefined);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttributes({
    [ATTR.langfuseLevel]: 'ERROR',
    [ATTR.langfuseStatusMessage]: message,
    ...(errorCode ? { [ATTR.errorCode]: errorCode } : {}),
  });
  span.recordException(error instanceof Error ? error : message);
}

function succeed(span: Span): void {
  span.setStatus({ code: SpanStatusCode.OK });
  span.end();
}

/**
 * A LangGraph node, as opposed to its plumbing: LangGraph tags each node's run with its step and names it after the
 * node; hidden runs (`__start__`) and what runs inside a node (sequences, lambdas, branches) do not match.
 */
function isGraphNode(runName: string, tags: readonly string[] | undefined, metadata: Record<string, unknown> | undefined): boolean {
  return metadata?.langgraph_node === runName && tags !== undefined && tags.some((tag) => tag.startsWith('graph:step:')) && !tags.includes('langsmith:hidden');
}

/** LangGraph's interrupts and parent commands (GraphBubbleUp) mark themselves so; matched by shape, not class. */
function isBubbleUp(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { is_bubble_up?: unknown }).is_bubble_up === true;
}
