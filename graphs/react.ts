import { randomUUID } from 'node:crypto';
import type { BindToolsInput, ToolChoice } from '@langchain/core/language_models/chat_models';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import { AIMessage, SystemMessage, ToolMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import type { Runnable, RunnableConfig } from '@langchain/core/runnables';
import { END, interrupt, isGraphBubbleUp, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import type { AgentDefinition } from '../agents/define-agent.js';
import { ERROR_CODES, TrellisError, toTrellisError } from '../core/errors.js';
import { eventLoopTurns } from '../core/event-loop-turns.js';
import type { ChatModel } from '../core/models/types.js';
import { needsApproval, type AnyToolDefinition } from '../tools/define-tool.js';
import { executeTool, type ToolLimits, type ToolResult } from '../tools/execute-tool.js';
import { toLangChainTool, toolResultText } from '../tools/to-langchain-tool.js';
import type { ToolContext } from '../tools/tool-context.js';
import {
  applyApprovalDecisions,
  parseApprovalResume,
  type ApprovalDecision,
  type ApprovalInterrupt,
  type ApprovalRequest,
} from './approval.js';
import { asBindableTools, clientToolNames, clientToolsOf, type ClientToolSettings } from './client-tools.js';
import type { ToolJournal } from './tool-journal.js';

export const ReactState = MessagesAnnotation;
export type ReactStateType = typeof ReactState.State;

export interface ReactGraphOptions {
  readonly agent: AgentDefinition;
  readonly model: ChatModel;
  /** The agent's tools, resolved from its names by the tool registry. */
  readonly tools: readonly AnyToolDefinition[];
  /**
   * The narrow context of one tool call, from the run's config (tenant, run and thread ids live in `configurable`).
   * The run's abort signal is added here. When it sets no `defaultKb`, the agent's `knowledgeBase` is used.
   */
  readonly toolContext: (config: RunnableConfig) => Omit<ToolContext, 'signal'>;
  readonly limits: ToolLimits;
  readonly journal: ToolJournal;
  /** Model turns per user message before the graph stops with a final message. Defaults to 12. */
  readonly maxModelTurns?: number;
  /**
   * Forces the first model turn after each user message (e.g. a tool name: llama.cpp then constrains the output to
   * a schema-valid call with a grammar). Later turns choose freely, or the agent could never answer.
   */
  readonly toolChoice?: ToolChoice;
}

export const DEFAULT_MAX_MODEL_TURNS = 12;

/**
 * The recursion limit a react graph needs for `maxModelTurns` (each turn is up to three steps: agent, approve,
 * tools). LangGraph's default of 25 stops a 12-turn agent early with GRAPH_RECURSION_LIMIT.
 */
export function reactRecursionLimit(maxModelTurns = DEFAULT_MAX_MODEL_TURNS): number {
  return maxModelTurns * 3 + 2;
}

/**
 * One agent in a loop: `agent` (the model, with the agent's instructions and tools) → `approve` (pauses with an
 * `approval-request` interrupt when a call needs a person) → `tools` (runs the calls through the tool journal) →
 * `agent` … until the model answers without calls, or `maxModelTurns` is reached (`stop`).
 *
 * Tool failures, invalid arguments and rejections come back to the model as ToolMessages with `status: 'error'`
 * (each with the tool's `name`); only cancellation and model failures end the run. Crash safety: a tools node cut
 * off by a dead process is re-run on resume, and the journal makes it reuse finished results, re-run interrupted
 * idempotent calls, and report interrupted others as TOOL_INTERRUPTED instead of running them twice.
 *
 * Returns the uncompiled graph; compile it with the runtime's checkpointer (approvals and crash recovery need one).
 *
 * @example
 * const graph = buildReactGraph({ agent, model, tools, toolContext, limits, journal }).compile({ checkpointer });
 * const config = { configurable: { thread_id, tenantId }, recursionLimit: reactRecursionLimit() };
 * let result = await graph.invoke({ messages: [new HumanMessage('What is in the handbook about travel?')] }, config);
 * if (result.__interrupt__) {                         // [{ value: { type: 'approval-request', requests } }]
 *   result = await graph.invoke(new Command({ resume: { action: 'approve' } }), config);
 * }
 */
export function buildReactGraph(options: ReactGraphOptions) {
  const { agent: definition, journal, limits } = options;
  const maxModelTurns = options.maxModelTurns ?? DEFAULT_MAX_MODEL_TURNS;
  const toolsByName = new Map(options.tools.map((tool) => [tool.name, tool]));
  const modelFor = bindModel(options);
  // One message for every turn: messages never change, and a trace then sends the instructions once per batch.
  const instructions = new SystemMessage(definition.instructions);

  async function agent(state: ReactStateType, config: RunnableConfig): Promise<Partial<ReactStateType>> {
    const firstTurn = turnsSinceUserMessage(state.messages) === 0;
    try {
      // A model that answers at once (local, cached, scripted) leaves a run no I/O to wait on: these yields keep a
      // burst of runs from holding the event loop (core/event-loop-turns.ts).
      await eventLoopTurns.yieldTurn();
      const reply = await modelFor(firstTurn, clientToolsOf(config)).invoke([instructions, ...state.messages], config);
      await eventLoopTurns.yieldTurn();
      return { messages: [withUniqueCallIds(reply, state.messages)] };
    } catch (error) {
      if (isGraphBubbleUp(error)) throw error;
      throw toTrellisError(error, 'MODEL_CALL_FAILED', `agent ${definition.name}: model call failed`);
    }
  }

  async function afterAgent(state: ReactStateType, config: RunnableConfig): Promise<'approve' | 'tools' | typeof END> {
    const calls = pendingCalls(state.messages);
    // A call to a client's tool hands the turn back to the client, which runs it and sends the result.
    const clientTools = clientToolNames(clientToolsOf(config));
    if (calls.length === 0 || calls.some((call) => clientTools.has(call.name))) return END;
    return (await approvalRequests(calls)).length > 0 ? 'approve' : 'tools';
  }

  // Runs again from the start when resumed, so everything before interrupt() only reads the state.
  async function approve(state: ReactStateType): Promise<Partial<ReactStateType>> {
    const requests = await approvalRequests(pendingCalls(state.messages));
    if (requests.length === 0) return {};
    const decisions = askForDecisions(requests);
    const { edited, rejections } = applyApprovalDecisions(lastAiMessage(state.messages)!, decisions);
    return { messages: [...(edited ? [edited] : []), ...rejections] };
  }

  async function tools(state: ReactStateType, config: RunnableConfig): Promise<Partial<ReactStateType>> {
    const threadId = threadOf(config);
    const base = options.toolContext(config);
    const context: ToolContext = {
      ...base,
      defaultKb: base.defaultKb ?? definition.knowledgeBase,
      signal: config.signal ?? new AbortController().signal,
    };
    const messages: ToolMessage[] = [];
    // In order, one at a time: a later call may depend on the effect of an earlier one.
    for (const call of pendingCalls(state.messages)) {
      const result = await runCall(call, threadId, context);
      messages.push(new ToolMessage({
        content: toolResultText(result),
        tool_call_id: call.id,
        name: call.name,
        status: result.ok ? 'success' : 'error',
        artifact: result,
      }));
    }
    return { messages };
  }

  function afterTools(state: ReactStateType): 'agent' | 'stop' {
    return turnsSinceUserMessage(state.messages) >= maxModelTurns ? 'stop' : 'agent';
  }

  function stop(): Partial<ReactStateType> {
    const text =
      `I stopped after ${maxModelTurns} steps without reaching a final answer. ` +
      'Ask me to continue, or narrow the request.';
    return { messages: [new AIMessage({ content: text, response_metadata: { finish_reason: 'max_turns' } })] };
  }

  async function approvalRequests(calls: readonly IdentifiedCall[]): Promise<ApprovalRequest[]> {
    const requests: ApprovalRequest[] = [];
    for (const call of calls) {
      const tool = toolsByName.get(call.name);
      if (tool && (await callNeedsApproval(tool, call.args))) {
        requests.push({ toolCallId: call.id, name: call.name, args: call.args, description: tool.description });
      }
    }
    return requests;
  }

  async function runCall(call: IdentifiedCall, threadId: string | undefined, context: ToolContext): Promise<ToolResult> {
    const tool = toolsByName.get(call.name);
    if (!tool) {
      const available = [...toolsByName.keys()].join(', ') || 'none';
      return failure('TOOL_NOT_FOUND', `agent ${definition.name} has no tool ${call.name}; its tools: ${available}`);
    }
    // Without a thread there is no checkpoint to resume from, so nothing to journal.
    if (threadId === undefined) return executeTool(tool, call.args, context, limits);
    const entry = journal.lookup(threadId, call.id);
    if (entry?.tool === call.name && entry.status === 'finished') return entry.result;
    if (entry?.tool === call.name && entry.status === 'started' && tool.idempotent !== true) {
      const result = failure('TOOL_INTERRUPTED', `${call.name} was interrupted in an earlier process; not re-run because it is not idempotent`);
      journal.finish(threadId, call.id, result);
      context.logger.warn({ tool: call.name, toolCallId: call.id, threadId }, 'interrupted tool call not re-run');
      return result;
    }
    journal.start(threadId, call.id, call.name);
    // Rejects only when the run is cancelled; the entry then stays `started`, as for a crash.
    const result = await executeTool(tool, call.args, context, limits);
    journal.finish(threadId, call.id, result);
    return result;
  }

  return new StateGraph(ReactState)
    .addNode('agent', agent)
    .addNode('approve', approve)
    .addNode('tools', tools)
    .addNode('stop', stop)
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', afterAgent, ['approve', 'tools', END])
    .addEdge('approve', 'tools')
    .addConditionalEdges('tools', afterTools, ['agent', 'stop'])
    .addEdge('stop', END);
}

/**
 * Pauses until a valid resume value arrives. LangGraph hands a re-run node every resume value it was given, one
 * per `interrupt()` call in order, so an invalid value cannot simply be thrown away: the node asks again, with the
 * error, and the next resume answers the next `interrupt()`.
 */
function askForDecisions(requests: readonly ApprovalRequest[]): ReadonlyMap<string, ApprovalDecision> {
  let error: ApprovalInterrupt['error'];
  for (;;) {
    const resume = interrupt<ApprovalInterrupt, unknown>({ type: 'approval-request', requests, ...(error ? { error } : {}) });
    try {
      return parseApprovalResume(resume, requests);
    } catch (invalid) {
      if (!TrellisError.isInstance(invalid, 'RUN_RESUME_INVALID')) throw invalid;
      error = { code: 'RUN_RESUME_INVALID', message: invalid.message };
    }
  }
}

type ModelRunnable = Runnable<BaseLanguageModelInput, AIMessageChunk | AIMessage>;

/**
 * The model as each turn calls it: with the tools bound, and `toolChoice` on the first turn. A run's client tools
 * (and the client's tool choice) are bound beside the agent's own for that call.
 */
function bindModel(options: ReactGraphOptions): (firstTurn: boolean, client?: ClientToolSettings) => ModelRunnable {
  const { model, agent } = options;
  const canBind = typeof model.bindTools === 'function';
  if (options.tools.length > 0 && !canBind) {
    throw new TrellisError('CONFIG_INVALID', `agent ${agent.name} has tools, but chat model ${model.getName()} cannot call tools`, {
      hint: 'Choose a chat model with tool calling, or an agent without tools.',
    });
  }
  // The adapters are only descriptions for the provider here: the tools node runs calls itself, through the journal.
  const described: BindToolsInput[] = options.tools.map((tool) =>
    toLangChainTool(tool, { context: options.toolContext, limits: options.limits }),
  );
  const bind = (tools: BindToolsInput[], toolChoice?: ToolChoice) => model.bindTools!(tools, toolChoice === undefined ? {} : { tool_choice: toolChoice });
  const free = described.length > 0 ? bind(described) : model;
  const forced = options.toolChoice === undefined || described.length === 0 ? free : bind(described, options.toolChoice);
  return (firstTurn, client) => {
    if (!client) return firstTurn ? forced : free;
    if (!canBind) {
      throw new TrellisError('CONFIG_INVALID', `chat model ${model.getName()} cannot call tools, so the request's tools cannot be offered`, {
        hint: 'Send the request without tools, or configure a chat model with tool calling.',
      });
    }
    return bind([...described, ...asBindableTools(client)], client.toolChoice ?? (firstTurn ? options.toolChoice : undefined));
  };
}

/**
 * The journal keys calls by thread and call id, so an id must never repeat within a thread. Providers' ids are
 * random, but some are counters that restart with the process (the scripted model's `call_0_0`); a repeated id is
 * suffixed, once, when the model's message enters the state (the checkpoint then keeps it).
 */
function withUniqueCallIds(reply: AIMessage | AIMessageChunk, earlier: readonly BaseMessage[]): AIMessage | AIMessageChunk {
  const seen = new Set(earlier.flatMap((message) => (AIMessage.isInstance(message) ? message.tool_calls ?? [] : []).map((call) => call.id)));
  const calls = reply.tool_calls ?? [];
  if (!calls.some((call) => call.id !== undefined && seen.has(call.id))) return reply;
  return new AIMessage({
    id: reply.id,
    content: reply.content,
    tool_calls: calls.map((call) => (call.id !== undefined && seen.has(call.id) ? { ...call, id: `${call.id}-${randomUUID().slice(0, 8)}` } : call)),
    response_metadata: reply.response_metadata,
    usage_metadata: reply.usage_metadata,
  });
}

async function callNeedsApproval(tool: AnyToolDefinition, args: unknown): Promise<boolean> {
  try {
    const parsed = await tool.schema.safeParseAsync(args ?? {});
    // Invalid arguments never reach the tool (the tools node returns the issues), so there is nothing to approve.
    return parsed.success && needsApproval(tool, parsed.data);
  } catch {
    // A predicate that fails cannot vouch for the call: ask the person.
    return true;
  }
}

/** A tool call with the id every ToolMessage must answer. */
type IdentifiedCall = ToolCall & { readonly id: string };

/** The calls of the newest model message that no ToolMessage answers yet, in the order the model made them. */
function pendingCalls(messages: readonly BaseMessage[]): IdentifiedCall[] {
  const index = lastAiIndex(messages);
  if (index < 0) return [];
  const message = messages[index] as AIMessage;
  const answered = new Set(
    messages.slice(index + 1).flatMap((later) => (ToolMessage.isInstance(later) ? [later.tool_call_id] : [])),
  );
  return (message.tool_calls ?? [])
    .map((call, position) => ({ ...call, id: call.id ?? `${message.id ?? 'call'}-${position}` }))
    .filter((call) => !answered.has(call.id));
}

function lastAiIndex(messages: readonly BaseMessage[]): number {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const type = messages[index]!.getType();
    if (type === 'ai') return index;
    if (type !== 'tool') return -1;
  }
  return -1;
}

function lastAiMessage(messages: readonly BaseMessage[]): AIMessage | undefined {
  const index = lastAiIndex(messages);
  return index < 0 ? undefined : (messages[index] as AIMessage);
}

/** Model turns since the newest user message: the loop's counter, read from the state so it survives restarts. */
function turnsSinceUserMessage(messages: readonly BaseMessage[]): number {
  let turns = 0;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const type = messages[index]!.getType();
    if (type === 'human') break;
    if (type === 'ai') turns += 1;
  }
  return turns;
}

function threadOf(config: RunnableConfig): string | undefined {
  const threadId: unknown = config.configurable?.thread_id;
  return typeof threadId === 'string' && threadId !== '' ? threadId : undefined;
}

function failure(code: 'TOOL_NOT_FOUND' | 'TOOL_INTERRUPTED', message: string): ToolResult {
  return { ok: false, error: { code, message, hint: ERROR_CODES[code].hint } };
}
