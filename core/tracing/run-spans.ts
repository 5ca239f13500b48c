import type { LLMResult } from '@langchain/core/outputs';
import type { Attributes } from '@opentelemetry/api';
import { ATTR, type SpanKind } from './attributes.js';
import { costOf, modelResponseOf, type ModelPrice, type ModelRequest } from './model-call.js';
import type { LaterDetails, RecordedSpan, SpanRecorder } from './span-recorder.js';
import { endSucceeded, isBubbleUp, markFailed } from './span-status.js';

/** Langfuse's observation types, which pick the icon and view of each span in its UI. */
type ObservationType = 'agent' | 'chain' | 'generation' | 'tool' | 'retriever' | 'span';

export interface RunSpansOptions {
  readonly recorder: SpanRecorder;
  /**
   * The run's root span: nodes hang under it, and so does anything reported outside a node. Its shared attributes
   * (tenant, thread, run, session, user, agent) go to every span of the run.
   */
  readonly root: RecordedSpan;
  /** Whether any sink keeps inputs and outputs; when none does, they are never captured. */
  readonly keepContent: boolean;
  readonly prices: Readonly<Record<string, ModelPrice>>;
}

/** How a graph node's task ended, as LangGraph's task stream reports it. */
export interface NodeOutcome {
  readonly error?: { readonly message: string; readonly code?: string };
  /** The node stopped for a person (an approval); that is no failure. */
  readonly interrupted?: boolean;
}

/** A model call's start, as LangChain reports it. */
export interface ModelCallStart {
  /** LangChain's id of the call, which its end is reported with. */
  readonly callId: string;
  /** The LangGraph task the call is made in (see trace-scope.ts). */
  readonly taskPath: string | undefined;
  readonly model: ModelRequest;
  /** The prompt (chat messages, or text), kept as given when a sink keeps content. */
  readonly input: unknown;
}

interface OpenNode {
  readonly span: RecordedSpan;
  ended: boolean;
}

/**
 * The spans below one run's root: a span per graph node (LangGraph task), and under each node the model calls,
 * tool calls and retrievals made inside it. Nodes are keyed by LangGraph's task path (`agent:<task id>`, or
 * `researcher:<id>|agent:<id>` in a subgraph), which is what both the task stream and the work inside a task
 * know them by.
 *
 * A node's span opens at whichever comes first: its task's start in the stream, or the first span made inside it
 * (the stream is read a little after LangGraph has started the task, by which time the node may have called the
 * model). Work inside a tool call (a search, a model call) hangs under the tool's span: a task runs its tool calls
 * one at a time, so the innermost open one of the task is the one running. Everything is synchronous: the run's
 * work calls in as it happens.
 */
export class RunSpans {
  private readonly nodes = new Map<string, OpenNode>();
  private readonly modelCalls = new Map<string, { readonly span: RecordedSpan; readonly model: ModelRequest }>();
  /** Per task path, the tool calls under way in it, innermost last. */
  private readonly inside = new Map<string, RecordedSpan[]>();
  /** Spans opened and not yet ended, so that a run cut off still ends them. */
  private readonly open = new Set<RecordedSpan>();

  constructor(private readonly options: RunSpansOptions) {}

  get keepContent(): boolean {
    return this.options.keepContent;
  }

  /** The spans travel in the run's LangChain config, which LangGraph's debug stream may serialise. */
  toJSON(): string {
    return '[RunSpans]';
  }

  /** A task of the graph started. */
  nodeStarted(path: string): void {
    this.node(path);
  }

  /** A task of the graph ended; a second report of the same end changes nothing. */
  nodeEnded(path: string, outcome: NodeOutcome = {}): void {
    const node = this.nodes.get(path);
    if (!node || node.ended) return;
    node.ended = true;
    this.open.delete(node.span);
    if (outcome.error) {
      markFailed(node.span, outcome.error.message, outcome.error.code);
      node.span.end();
    } else if (outcome.interrupted) {
      node.span.setAttribute(ATTR.langfuseStatusMessage, 'interrupted');
      node.span.end();
    } else endSucceeded(node.span);
  }

  /** The span that work in a task hangs under: the tool call under way in it, else its node; the root outside tasks. */
  parentOf(taskPath: string | undefined): RecordedSpan {
    if (taskPath === undefined) return this.options.root;
    return this.inside.get(taskPath)?.at(-1) ?? this.node(taskPath).span;
  }

  /** Work in the task now runs inside `span` (a tool call), until `leave`. */
  enter(taskPath: string | undefined, span: RecordedSpan): void {
    if (taskPath === undefined) return;
    const stack = this.inside.get(taskPath);
    if (stack) stack.push(span);
    else this.inside.set(taskPath, [span]);
  }

  leave(taskPath: string | undefined, span: RecordedSpan): void {
    if (taskPath === undefined) return;
    const stack = this.inside.get(taskPath);
    const at = stack?.lastIndexOf(span) ?? -1;
    if (at < 0) return;
    stack!.splice(at, 1);
    if (stack!.length === 0) this.inside.delete(taskPath);
  }

  /** Opens a child span; end it with `succeed` or `fail`. */
  start(name: string, kind: SpanKind, type: ObservationType, attributes: Attributes, parent: RecordedSpan): RecordedSpan {
    attributes[ATTR.spanKind] = kind;
    attributes[ATTR.langfuseObservationType] = type;
    const span = this.options.recorder.start(name, attributes, parent);
    this.open.add(span);
    return span;
  }

  /** Ends a span that did its work; `details` (what it found) are worked out when the span is delivered. */
  succeed(span: RecordedSpan, details?: () => LaterDetails): void {
    if (!this.open.delete(span)) return;
    if (details) span.later(details);
    endSucceeded(span);
  }

  fail(span: RecordedSpan, error: unknown): void {
    if (!this.open.delete(span)) return;
    // An interrupt (waiting for a person's approval) travels as an exception but is no failure.
    if (isBubbleUp(error)) span.setAttribute(ATTR.langfuseStatusMessage, 'interrupted');
    else markFailed(span, error);
    span.end();
  }

  modelStarted(call: ModelCallStart): void {
    const { model } = call;
    const span = this.start(
      `chat ${model.model}`,
      'llm',
      'generation',
      {
        [ATTR.genAiOperation]: 'chat',
        [ATTR.genAiRequestModel]: model.model,
        [ATTR.langfuseModel]: model.model,
        ...(model.system ? { [ATTR.genAiSystem]: model.system } : {}),
      },
      this.parentOf(call.taskPath),
    );
    if (this.options.keepContent) span.setContent(ATTR.langfuseInput, call.input);
    this.modelCalls.set(call.callId, { span, model });
  }

  /** A model call answered: the model that did, tokens, finish reasons, cost, and the answer (worked out later). */
  modelEnded(callId: string, output: LLMResult): void {
    const call = this.modelCalls.get(callId);
    if (!call) return;
    this.modelCalls.delete(callId);
    const { prices, keepContent } = this.options;
    call.span.later(() => modelCallDetails(output, call.model, prices, keepContent));
    this.succeed(call.span);
  }

  modelFailed(callId: string, error: unknown): void {
    const call = this.modelCalls.get(callId);
    if (!call) return;
    this.modelCalls.delete(callId);
    this.fail(call.span, error);
  }

  /** Whether a model call of the run is under way (a run cut off leaves some). */
  get modelCallsOpen(): boolean {
    return this.modelCalls.size > 0;
  }

  /**
   * Ends the spans still open when the run ends (work cut off by a cancel or a crash of the graph), with the run's
   * failure when there was one. Called once, before the root span ends.
   */
  finish(failure?: unknown): void {
    for (const span of this.open) {
      if (failure !== undefined) markFailed(span, failure);
      span.end();
    }
    this.open.clear();
    this.modelCalls.clear();
    this.inside.clear();
  }

  private node(path: string): OpenNode {
    let node = this.nodes.get(path);
    if (node) return node;
    const cut = path.lastIndexOf('|');
    const parent = cut < 0 ? this.options.root : this.node(path.slice(0, cut)).span;
    // A segment is `<node>:<task id>`; LangGraph forbids `:` and `|` in node names.
    const segment = path.slice(cut + 1);
    const colon = segment.lastIndexOf(':');
    const name = colon > 0 ? segment.slice(0, colon) : segment;
    // A node span carries no content: its input is the whole graph state and its output a state update, whose
    // parts (prompts, answers, tool results, passages) are on the model, tool and retrieval spans below it.
    node = { span: this.start(`node ${name}`, 'node', 'chain', { [ATTR.node]: name }, parent), ended: false };
    this.nodes.set(path, node);
    return node;
  }
}

/** What a model call's end says, as span attributes: the model that answered, tokens, finish reasons, cost, answer. */
function modelCallDetails(output: LLMResult, model: ModelRequest, prices: Readonly<Record<string, ModelPrice>>, keepContent: boolean): LaterDetails {
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
    const price = prices[response.model ?? ''] ?? prices[model.model];
    if (price) {
      const cost = costOf(price, input, output);
      attributes[ATTR.costUsd] = cost.total;
      attributes[ATTR.langfuseCost] = JSON.stringify(cost);
    }
  }
  return { attributes, content: keepContent ? { [ATTR.langfuseOutput]: response.message ?? response.text } : undefined };
}
