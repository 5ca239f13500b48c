import { isAIMessage, isAIMessageChunk, isBaseMessage, isToolMessage, type BaseMessageChunk } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { Command } from '@langchain/langgraph';
import { TrellisError } from '../core/errors.js';

/**
 * What a run streams, named noun-verb like every Trellis event stream. Each event carries the `namespace` of the
 * (sub)graph it comes from: empty for the top-level graph, `['researcher:…']` inside a member agent.
 */
export type RunEvent =
  | { readonly type: 'run-start'; readonly runId: string; readonly threadId: string }
  | { readonly type: 'node-start'; readonly node: string; readonly taskId: string; readonly namespace: readonly string[] }
  | {
      readonly type: 'node-end';
      readonly node: string;
      readonly taskId: string;
      readonly namespace: readonly string[];
      /** The node failed (the run then ends with `run-error`). */
      readonly error?: { readonly message: string };
      /** The node stopped to wait for a person (an `approval-request` follows). */
      readonly interrupted?: true;
    }
  | { readonly type: 'token-delta'; readonly node: string; readonly text: string; readonly namespace: readonly string[] }
  | {
      readonly type: 'tool-call';
      readonly toolCallId: string;
      readonly name: string;
      readonly args: Record<string, unknown>;
      readonly namespace: readonly string[];
    }
  | {
      readonly type: 'tool-result';
      readonly toolCallId: string;
      readonly name: string;
      readonly status: 'success' | 'error';
      readonly output: string;
      readonly namespace: readonly string[];
    }
  | { readonly type: 'approval-request'; readonly interruptId: string | undefined; readonly value: unknown }
  | {
      readonly type: 'run-end';
      readonly runId: string;
      /** `interrupted` when the run waits for a person (resume it with a Command). */
      readonly status: 'completed' | 'interrupted';
      /** The final state's answer text, when the graph has one (the last AI message otherwise). */
      readonly answer: string;
      readonly state: Record<string, unknown>;
    }
  | { readonly type: 'run-error'; readonly runId: string; readonly code: string; readonly message: string; readonly hint: string };

/**
 * The part of a compiled LangGraph graph a run needs. Parameters typed `never` accept every compiled graph, whatever
 * its state and stream typing; the one call below states what it passes.
 */
export interface StreamableGraph {
  stream(input: never, options: never): Promise<AsyncIterable<unknown>>;
  getState(config: never): Promise<unknown>;
}

type UntypedStream = (input: unknown, options: RunnableConfig & { streamMode: string[]; subgraphs: boolean }) => Promise<AsyncIterable<unknown>>;

export interface StreamRunOptions {
  readonly graph: StreamableGraph;
  /** New input, or a `Command({ resume })` answering an interrupt, or null to continue from the last checkpoint. */
  readonly input: unknown;
  readonly runId: string;
  readonly threadId: string;
  /** Passed to every node (tenant, recursion limit, signal, ...). */
  readonly config?: RunnableConfig;
  /** LangGraph stream modes to run with beyond the ones run events come from (`updates`, `custom`, ...). */
  readonly extraStreamModes?: readonly string[];
  /**
   * Stream the model's text as `token-delta` events (the default). Off, the run streams no LangGraph `messages` mode
   * unless `extraStreamModes` asks for it: that mode is a LangChain callback on every runnable of the graph, and
   * costs a zero-latency run about a third of its time.
   */
  readonly tokens?: boolean;
  /** Sees every raw LangGraph chunk, of every mode the run streams, before it becomes run events. */
  readonly onChunk?: (mode: string, namespace: readonly string[], payload: unknown) => void;
}

/** The stream modes run events are made from: nodes, tools and interrupts from `tasks`, the end from `values`. */
const EVENT_STREAM_MODES = ['tasks', 'values'];

type TaskPayload = {
  id: string;
  name: string;
  input?: unknown;
  triggers?: string[];
  /** The node's writes: an update object, or [channel, value] pairs. */
  result?: Record<string, unknown> | [string, unknown][];
  error?: unknown;
  interrupts?: { id?: string; value?: unknown }[];
};

/**
 * Runs a compiled graph and turns LangGraph's stream modes (tasks, messages, values; subgraphs included) into
 * Trellis run events. A failure ends the stream with `run-error` (code and hint from the catalogue) instead of
 * throwing, so every transport (SSE, WebSocket, CLI) reports it the same way.
 */
export async function* streamRunEvents(options: StreamRunOptions): AsyncGenerator<RunEvent> {
  const { runId, threadId } = options;
  yield { type: 'run-start', runId, threadId };
  let finalState: Record<string, unknown> = {};
  let interrupted = false;
  // Ids of messages already streamed token by token, so the whole message a node then writes is not sent twice.
  const streamed = new Set<string>();
  try {
    const stream = await (options.graph.stream as UntypedStream).call(options.graph, options.input as Command | null, {
      ...options.config,
      runId,
      configurable: { ...options.config?.configurable, thread_id: threadId },
      streamMode: [...new Set([...EVENT_STREAM_MODES, ...(options.tokens === false ? [] : ['messages']), ...(options.extraStreamModes ?? [])])],
      subgraphs: true,
    });
    for await (const part of stream) {
      const [namespace, mode, payload] = part as [string[], string, unknown];
      options.onChunk?.(mode, namespace, payload);
      if (mode === 'values' && namespace.length === 0) finalState = payload as Record<string, unknown>;
      if (mode === 'messages' && options.tokens !== false) {
        const [chunk, metadata] = payload as [BaseMessageChunk, Record<string, unknown>];
        // The mode also replays whole messages that nodes wrote; those not streamed already count as one delta.
        if (isAIMessageChunk(chunk) && chunk.id) streamed.add(chunk.id);
        else if (!isAIMessage(chunk) || (chunk.id && streamed.has(chunk.id))) continue;
        const text = chunk.text;
        if (text) yield { type: 'token-delta', node: String(metadata.langgraph_node ?? ''), text, namespace };
      }
      if (mode === 'tasks') {
        const task = payload as TaskPayload;
        if (task.triggers !== undefined) {
          yield { type: 'node-start', node: task.name, taskId: task.id, namespace };
          continue;
        }
        for (const interrupt of task.interrupts ?? []) {
          interrupted = true;
          yield { type: 'approval-request', interruptId: interrupt.id, value: interrupt.value };
        }
        const writes = Array.isArray(task.result) ? task.result : Object.entries(task.result ?? {});
        yield* toolEvents(writes, namespace);
        yield {
          type: 'node-end',
          node: task.name,
          taskId: task.id,
          namespace,
          ...(task.error ? { error: { message: errorMessageOf(task.error) } } : {}),
          ...(task.interrupts?.length ? { interrupted: true as const } : {}),
        };
      }
    }
  } catch (error) {
    // A run stopped through its signal reports the reason it was given (a cancel, a shutdown), not LangGraph's AbortError.
    const reason: unknown = options.config?.signal?.aborted ? options.config.signal.reason : error;
    const failure = TrellisError.isInstance(reason)
      ? reason
      : TrellisError.isInstance(error)
        ? error
        : new TrellisError('INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
    yield { type: 'run-error', runId, code: failure.code, message: failure.message, hint: failure.hint };
    return;
  }
  yield { type: 'run-end', runId, status: interrupted ? 'interrupted' : 'completed', answer: answerOf(finalState), state: finalState };
}

/** LangGraph reports a failed task with the error it wrote (`{ message, name }`), or the error itself. */
function errorMessageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : String(error);
}

/** What names a LangGraph task: the node it runs, its id, and the (sub)graph namespace it runs in. */
export interface TaskReference {
  readonly node: string;
  readonly taskId: string;
  readonly namespace: readonly string[];
}

/**
 * LangGraph's path of a task, as work inside the task finds it in its metadata (`langgraph_checkpoint_ns`):
 * `agent:<task id>`, or `researcher:<task id>|agent:<task id>` inside a subgraph.
 */
export function taskPathOf(task: TaskReference): string {
  const own = `${task.node}:${task.taskId}`;
  return task.namespace.length === 0 ? own : `${task.namespace.join('|')}|${own}`;
}

/** Tool calls an AI message asked for, and the results tool messages carry, in a node's writes. */
function* toolEvents(writes: readonly [string, unknown][], namespace: readonly string[]): Generator<RunEvent> {
  for (const [channel, value] of writes) {
    if (channel !== 'messages') continue;
    for (const message of Array.isArray(value) ? value : [value]) {
      if (!isBaseMessage(message)) continue;
      if (isAIMessage(message)) {
        for (const call of message.tool_calls ?? []) {
          yield { type: 'tool-call', toolCallId: call.id ?? '', name: call.name, args: call.args, namespace };
        }
      }
      if (isToolMessage(message)) {
        yield {
          type: 'tool-result',
          toolCallId: message.tool_call_id,
          name: message.name ?? '',
          status: message.status === 'error' ? 'error' : 'success',
          output: message.text,
          namespace,
        };
      }
    }
  }
}

function answerOf(state: Record<string, unknown>): string {
  if (typeof state.answer === 'string' && state.answer) return state.answer;
  const messages = Array.isArray(state.messages) ? (state.messages as unknown[]) : [];
  const last = [...messages].reverse().find((message) => isBaseMessage(message) && isAIMessage(message));
  return last && isBaseMessage(last) ? last.text : '';
}
