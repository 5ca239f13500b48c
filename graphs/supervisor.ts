import { AIMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { Annotation, Command, END, MessagesAnnotation, START, StateGraph, isGraphBubbleUp } from '@langchain/langgraph';
import { z } from 'zod';
import { TrellisError } from '../core/errors.js';
import type { ChatModel } from '../core/models/types.js';

/**
 * A compiled graph whose state holds `messages` (a react agent, another supervisor, any MessagesAnnotation graph).
 * It is called with the run's config, so it shares the run's checkpointer, interrupts, streaming and tenant.
 */
export interface MessagesGraph {
  invoke(input: { messages: BaseMessage[] }, config?: RunnableConfig): Promise<{ messages: BaseMessage[] }>;
}

/** An agent the supervisor can hand the conversation to. */
export interface SupervisorMember {
  /** Node name and handoff tool suffix (`transfer_to_<name>`): a kebab- or snake_case agent name of at most 52 characters. */
  readonly name: string;
  /** What the member is good at; the supervisor model reads it to choose. */
  readonly description: string;
  readonly graph: MessagesGraph;
}

export interface SupervisorGraphDependencies {
  readonly supervisor: {
    /** The name the supervisor's messages carry; members hand back to it. */
    readonly name: string;
    readonly instructions: string;
    readonly model: ChatModel;
  };
  readonly members: readonly SupervisorMember[];
  /** Handoffs per user turn before the supervisor must answer itself (default 6); stops ping-pong between agents. */
  readonly maxHandoffs?: number;
}

export const SupervisorState = Annotation.Root({
  ...MessagesAnnotation.spec,
  /** Handoffs made in the current user turn. */
  handoffs: Annotation<number>({ reducer: (_, next) => next, default: () => 0 }),
  /** The member that holds the conversation now, or the supervisor's name. */
  activeAgent: Annotation<string>({ reducer: (_, next) => next, default: () => '' }),
  /** The supervisor's final answer of the turn. */
  answer: Annotation<string>({ reducer: (_, next) => next, default: () => '' }),
});
export type SupervisorStateType = typeof SupervisorState.State;

const SUPERVISOR_NODE = 'supervisor';
// Agent names (agents/define-agent.ts), short enough that `transfer_to_<name>` fits providers' 64-character tool names.
const MEMBER_NAME = /^[a-z][a-z0-9]*([-_][a-z0-9]+)*$/;
const MAX_MEMBER_NAME = 64 - 'transfer_to_'.length;

/**
 * The hierarchical pattern: a supervisor model routes the conversation to member agents through handoff tools
 * (`transfer_to_<member>`); each member runs on the whole conversation and hands back with its last message; the
 * supervisor answers when it calls no handoff. After `maxHandoffs` handoffs in one turn the supervisor is asked
 * again without handoff tools, so a loop between agents ends in an answer rather than a recursion error. An
 * `interrupt()` inside a member (an approval) pauses the whole run; resuming with `Command({ resume })` continues
 * inside that member.
 *
 * @example
 * const graph = buildSupervisorGraph({
 *   supervisor: { name: 'lead', instructions: 'Route billing questions to billing.', model },
 *   members: [{ name: 'billing', description: 'Invoices and refunds', graph: billingAgent }],
 * }).compile({ checkpointer });
 * await graph.invoke({ messages: [new HumanMessage('Where is my invoice?')] }, { configurable: { thread_id, tenantId } });
 */
export function buildSupervisorGraph(dependencies: SupervisorGraphDependencies) {
  const { supervisor, members } = dependencies;
  const maxHandoffs = dependencies.maxHandoffs ?? 6;
  validateMembers(members);
  const byTool = new Map(members.map((member) => [handoffToolName(member.name), member]));
  const handoffTools = members.map((member) =>
    // Never executed: the supervisor node reads the call and routes; the tool only shows the model the choice.
    tool(async () => '', { name: handoffToolName(member.name), description: member.description, schema: z.object({}) }),
  );
  if (!supervisor.model.bindTools) {
    throw new TrellisError('GRAPH_DEFINITION_INVALID', `the supervisor model ${supervisor.model.getName()} cannot call tools`, {
      hint: 'Give the supervisor a chat model with tool calling: it hands off through tools.',
    });
  }
  const router = supervisor.model.bindTools(handoffTools);
  const routing = `${supervisor.instructions}\n\nYou lead a team. Hand the conversation to the member who can best ` +
    `handle the request by calling its transfer tool; answer yourself when the request is done or needs no member.\n` +
    `Members:\n${members.map((member) => `- ${member.name}: ${member.description}`).join('\n')}`;
  const mustAnswer = `${supervisor.instructions}\n\nNo more handoffs are possible in this turn: answer the user ` +
    'now with what the conversation already contains.';

  /** Each user turn gets a fresh handoff budget; the thread keeps its messages. */
  function prepare(): Partial<SupervisorStateType> {
    return { handoffs: 0, activeAgent: supervisor.name, answer: '' };
  }

  async function supervise(state: SupervisorStateType, config: RunnableConfig): Promise<Command> {
    const limitReached = state.handoffs >= maxHandoffs;
    const caller = limitReached ? supervisor.model : router;
    const reply = await caller.invoke([new SystemMessage(limitReached ? mustAnswer : routing), ...state.messages], config);
    // Without tools bound a model should not call one; if it does anyway, its calls are ignored, not answered.
    const toolCalls = limitReached ? [] : (reply.tool_calls ?? []);
    if (toolCalls.length === 0) {
      const text = reply.text || `Stopped after ${state.handoffs} handoffs without an answer.`;
      // The streamed reply's id, so that LangGraph's `messages` stream does not emit the answer a second time.
      const message = new AIMessage({ id: reply.id, content: text, name: supervisor.name, response_metadata: reply.response_metadata });
      return new Command({ goto: END, update: { messages: [message], answer: text, activeAgent: supervisor.name } });
    }

    // One member at a time: the first valid handoff wins; every call still gets its tool result, as providers require.
    const target = toolCalls.map((call) => byTool.get(call.name)).find((member) => member !== undefined);
    const results = toolCalls.map((call) => {
      const member = byTool.get(call.name);
      const content = !member
        ? `No member is called ${call.name}; transfer to one of: ${[...byTool.keys()].join(', ')}.`
        : member === target ? `Transferred to ${member.name}.` : `Not transferred to ${member.name}: one handoff at a time.`;
      return new ToolMessage({ content, name: call.name, tool_call_id: call.id ?? call.name, status: member ? 'success' : 'error' });
    });
    const handoff = new AIMessage({
      id: reply.id,
      content: reply.content,
      name: supervisor.name,
      tool_calls: toolCalls,
      response_metadata: reply.response_metadata,
    });
    return new Command({
      // A call to no known member goes back to the supervisor to choose again, still counted against the budget.
      goto: target ? target.name : SUPERVISOR_NODE,
      update: { messages: [handoff, ...results], handoffs: state.handoffs + 1, activeAgent: target?.name ?? supervisor.name },
    });
  }

  let graph = new StateGraph(SupervisorState)
    .addNode('prepare', prepare)
    .addNode(SUPERVISOR_NODE, supervise, { ends: [...members.map((member) => member.name), SUPERVISOR_NODE, END] })
    .addEdge(START, 'prepare')
    .addEdge('prepare', SUPERVISOR_NODE);
  for (const member of members) {
    graph = graph.addNode(member.name, memberNode(member, supervisor.name)).addEdge(member.name, SUPERVISOR_NODE);
  }
  return graph;
}

/** Runs one member on the conversation; its last message comes back named after it, followed by the hand-back. */
function memberNode(member: SupervisorMember, supervisorName: string) {
  return async function runMember(state: SupervisorStateType, config: RunnableConfig): Promise<Partial<SupervisorStateType>> {
    let output: { messages: BaseMessage[] };
    try {
      // The run's config makes the member a subgraph of this run: its interrupts pause the run and resume here.
      output = await member.graph.invoke({ messages: state.messages }, config);
    } catch (error) {
      if (isGraphBubbleUp(error)) throw error;
      if (TrellisError.isInstance(error)) throw error;
      throw new TrellisError('GRAPH_STEP_FAILED', `member agent ${member.name} failed: ${errorMessage(error)}`, {
        cause: error,
        details: { member: member.name },
      });
    }
    const last = output.messages.at(-1);
    // Only the member's conclusion joins the conversation: its own tool calls would crowd the supervisor's context.
    const answer = new AIMessage({ content: last?.text || `${member.name} returned no answer.`, name: member.name });
    const backId = `${member.name}-back-${state.handoffs}`;
    const handBack = [
      new AIMessage({
        content: `Transferring back to ${supervisorName}.`,
        name: member.name,
        tool_calls: [{ name: `transfer_back_to_${supervisorName}`, args: {}, id: backId, type: 'tool_call' }],
      }),
      new ToolMessage({ content: `Transferred back to ${supervisorName}.`, name: `transfer_back_to_${supervisorName}`, tool_call_id: backId }),
    ];
    return { messages: [answer, ...handBack], activeAgent: supervisorName };
  };
}

function handoffToolName(memberName: string): string {
  return `transfer_to_${memberName}`;
}

function validateMembers(members: readonly SupervisorMember[]): void {
  if (members.length === 0) throw new TrellisError('GRAPH_DEFINITION_INVALID', 'a supervisor graph needs at least one member');
  // A node may not share its name with another node or a state key.
  const reserved = new Set([SUPERVISOR_NODE, 'prepare', ...Object.keys(SupervisorState.spec)]);
  const seen = new Set<string>();
  for (const { name } of members) {
    if (!MEMBER_NAME.test(name) || name.length > MAX_MEMBER_NAME || reserved.has(name)) {
      throw new TrellisError('GRAPH_DEFINITION_INVALID', `member name "${name}" is not usable as a node and tool name`, {
        hint: `Use a kebab- or snake_case name of at most ${MAX_MEMBER_NAME} characters, other than ${[...reserved].join(', ')}.`,
      });
    }
    if (seen.has(name)) throw new TrellisError('GRAPH_DEFINITION_INVALID', `two members are called ${name}`);
    seen.add(name);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
