import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { AgentDefinition } from '../agents/define-agent.js';
import type { AgentRegistry } from '../agents/registry.js';
import { TrellisError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { reportRetrieverRun, reportToolRun } from '../core/tracing/report-to-trace.js';
import { RETRIEVAL_ONLY_NOTICE, type ChatModelSelection } from '../core/models/select-chat-model.js';
import type { ChatModel } from '../core/models/types.js';
import { TemporaryThreadsSaver } from '../core/temporary-threads-saver.js';
import type { RagSearch } from '../graphs/rag.js';
import { streamRunEvents, type RunEvent, type StreamableGraph } from '../graphs/run-events.js';
import type { ApprovalInterrupt } from '../graphs/approval.js';
import type { ClientToolSettings } from '../graphs/client-tools.js';
import { withTemporaryThreads } from '../graphs/temporary-tool-journal.js';
import type { ToolJournal } from '../graphs/tool-journal.js';
import type { KnowledgeService } from '../rag/knowledge-service.js';
import type { ToolLimits } from '../tools/execute-tool.js';
import type { AnyToolDefinition } from '../tools/define-tool.js';
import type { ToolRegistry } from '../tools/registry.js';
import type { Thread, Threads } from './threads.js';

/** Graphs that are not agents; every other target names an agent. */
export const GRAPH_TARGETS = ['rag', 'research', 'pipeline'] as const;

export interface RunRequest {
  readonly tenantId: string;
  /** A graph (`rag`, `research`, `pipeline`) or an agent name; defaults to the thread's own target. */
  readonly target?: string;
  /** Continue this thread (it must belong to the tenant); a new thread is created when absent. */
  readonly threadId?: string;
  /**
   * The thread itself, when the caller has it: a temporary one (see `RunService.holdThread`), which no table holds.
   * It is used as given, without a lookup.
   */
  readonly thread?: Thread;
  /** The user's message; absent when resuming. */
  readonly message?: string;
  /**
   * The whole input conversation, instead of `message`: OpenAI-style clients send the history with every request,
   * and may end it with their own tools' results.
   */
  readonly messages?: readonly BaseMessage[];
  /** Function tools the client runs itself (OpenAI `tools`); agents only. See graphs/client-tools.ts. */
  readonly clientTools?: ClientToolSettings;
  /** The knowledge base the run searches (`rag` and `research` need one; agents use it as their default). */
  readonly kb?: string;
  /** The answer to an `approval-request`, e.g. `{ action: 'approve' }`. */
  readonly resume?: unknown;
  readonly signal?: AbortSignal;
  readonly metadata?: Record<string, unknown>;
  /**
   * When LangGraph writes checkpoints: after every step, in the background (`async`, the default), before the next
   * step (`sync`), or only when the run ends or waits for a person (`exit`: for runs nobody resumes mid-way).
   */
  readonly durability?: 'sync' | 'async' | 'exit';
  /** The run's id; a fresh one when absent. */
  readonly runId?: string;
  /** Raw LangGraph stream modes to record beside the run events (see `onChunk`). */
  readonly extraStreamModes?: readonly string[];
  /**
   * Stream the model's text as `token-delta` events (the default). Off for runs whose callers wait for the end (a
   * non-streaming completion, `runs/wait`): tokens cost a run that nobody reads them from.
   */
  readonly tokens?: boolean;
  readonly onChunk?: (mode: string, namespace: readonly string[], payload: unknown) => void;
  /** What the run's trace puts in the config's `configurable`, for its model calls, tools and searches to report. */
  readonly traceConfigurable?: Readonly<Record<string, unknown>>;
}

/** A thread's state at one checkpoint, as LangGraph's `getState` describes it. */
export interface ThreadStateSnapshot {
  readonly values: Record<string, unknown>;
  readonly next: readonly string[];
  readonly tasks: readonly { id: string; name: string; interrupts?: readonly { id?: string; value?: unknown }[]; error?: unknown }[];
  readonly metadata?: Record<string, unknown>;
  readonly config?: { configurable?: Record<string, unknown> };
  readonly parentConfig?: { configurable?: Record<string, unknown> };
  readonly createdAt?: string;
}

export interface RunService {
  /** Starts or resumes a run and streams its events; the first event names the thread. */
  stream(request: RunRequest): AsyncGenerator<RunEvent>;
  /**
   * From now on the thread's state (checkpoints, tool journal) lives in memory: for a temporary thread, which is
   * discarded when its run ends unless it is kept. Runs on it write nothing to the stores.
   */
  holdThread(threadId: string): void;
  /** Writes a held thread's state to the stores, where it is an ordinary thread's from then on. */
  keepThread(threadId: string): Promise<void>;
  discardThread(threadId: string): void;
  /** Forgets a thread's state: its checkpoints and its tool journal. */
  deleteThreadState(threadId: string): Promise<void>;
  /** The names a run can target: the graphs and every agent. */
  targets(): readonly string[];
  /** The thread's latest state; undefined while nothing has run on it. */
  state(tenantId: string, threadId: string): Promise<ThreadStateSnapshot | undefined>;
  /** The thread's checkpoints, newest first. */
  history(tenantId: string, threadId: string, options?: { limit?: number; before?: string }): Promise<readonly ThreadStateSnapshot[]>;
}

/** The reading half of a compiled graph that thread state and history need. */
interface StatefulGraph {
  getState(config: RunnableConfig): Promise<ThreadStateSnapshot>;
  getStateHistory(config: RunnableConfig, options?: { limit?: number; before?: RunnableConfig }): AsyncIterable<ThreadStateSnapshot>;
}

export interface RunServiceOptions {
  readonly chat: ChatModelSelection;
  readonly knowledge: KnowledgeService;
  readonly tools: ToolRegistry;
  readonly agents: AgentRegistry;
  readonly threads: Threads;
  readonly journal: ToolJournal;
  readonly checkpointer: BaseCheckpointSaver;
  readonly toolLimits: ToolLimits;
  readonly maxModelTurns: number;
  readonly logger: Logger;
  readonly generateId: () => string;
}

/**
 * Runs graphs and agents on threads. Graphs are compiled once per target with the runtime's checkpointer; each run
 * carries its tenant in `configurable`, where every node and tool reads it, and its thread is checked to belong to
 * that tenant first.
 */
export function createRunService(options: RunServiceOptions): RunService {
  const { tools, agents, threads, logger } = options;
  const compiled = new Map<string, StreamableGraph>();
  // Every graph writes through these: a held (temporary) thread's state stays in memory, every other goes to the stores.
  const checkpointer = new TemporaryThreadsSaver(options.checkpointer);
  const journal = withTemporaryThreads(options.journal);
  // Tool calls and searches are reported to the run's trace (a no-op for an untraced run).
  const knowledge = reportingSearches(options.knowledge);
  const search: RagSearch = (request) => knowledge.search(request);
  const toolOf = (name: string) => reportingCalls(tools.get(name));
  const model = options.chat.mode === 'model' ? options.chat.model : undefined;

  function requireModel(target: string): ChatModel {
    if (model) return model;
    throw new TrellisError('MODEL_NOT_CONFIGURED', `${target} needs a chat model; Trellis is in retrieval-only mode`, {
      hint: 'Use the rag or research graph (they answer with cited passages), or configure a chat model: ' + RETRIEVAL_ONLY_NOTICE,
    });
  }

  // Graph modules (and LangGraph with them) load with the first run, so a server that only serves search starts fast.
  // Loaded once: every dynamic import goes through the module loader's hooks (tsx's run in a worker thread), which
  // costs milliseconds per call.
  let loaded: Promise<GraphModules> | undefined;
  const graphs = (): Promise<GraphModules> => (loaded ??= loadGraphs());
  const loadGraphs = () =>
    Promise.all([
      import('../graphs/rag.js'),
      import('../graphs/research.js'),
      import('../graphs/pipeline.js'),
      import('../graphs/react.js'),
      import('../graphs/supervisor.js'),
      import('../graphs/approval.js'),
      import('@langchain/langgraph'),
    ]).then(([rag, research, pipeline, react, supervisor, approval, langgraph]) => ({ rag, research, pipeline, react, supervisor, approval, langgraph }));
  type GraphModules = Awaited<ReturnType<typeof loadGraphs>>;

  const toolContext = (modules: GraphModules) => (config: RunnableConfig) => ({
    tenantId: modules.rag.tenantOf(config),
    runId: typeof config.runId === 'string' ? config.runId : undefined,
    threadId: config.configurable?.thread_id as string | undefined,
    logger,
    knowledge,
    defaultKb: config.configurable?.kb as string | undefined,
  });

  function reactGraph(modules: GraphModules, agent: AgentDefinition) {
    return modules.react.buildReactGraph({
      agent,
      model: requireModel(agent.name),
      tools: agent.tools.map(toolOf),
      toolContext: toolContext(modules),
      limits: options.toolLimits,
      journal,
      maxModelTurns: options.maxModelTurns,
    });
  }

  async function build(target: string): Promise<StreamableGraph> {
    const modules = await graphs();
    switch (target) {
      case 'rag':
        return modules.rag.buildRagGraph({ search, model, notice: RETRIEVAL_ONLY_NOTICE }).compile({ checkpointer });
      case 'research':
        return modules.research.buildResearchGraph({ search, model, notice: RETRIEVAL_ONLY_NOTICE }).compile({ checkpointer });
      case 'pipeline':
        return modules.pipeline.buildPipelineGraph({ model: requireModel(target) }).compile({ checkpointer });
    }
    if (!agents.has(target)) {
      throw new TrellisError('RUN_TARGET_UNKNOWN', `no graph or agent named ${target}; available: ${targets().join(', ')}`);
    }
    const agent = agents.get(target);
    if (!agent.handoffs?.length) return reactGraph(modules, agent).compile({ checkpointer });
    // Members are compiled without a checkpointer of their own: they run inside the supervisor's thread.
    const members = agent.handoffs.map((name) => {
      const member = agents.get(name);
      return { name: member.name, description: member.description, graph: reactGraph(modules, member).compile() };
    });
    return modules.supervisor.buildSupervisorGraph({
      supervisor: { name: agent.name, instructions: agent.instructions, model: requireModel(target) },
      members,
    }).compile({ checkpointer });
  }

  async function validateResume(graph: StreamableGraph, threadId: string, resume: unknown): Promise<void> {
    const state = (await graph.getState({ configurable: { thread_id: threadId } } as never)) as {
      tasks?: { interrupts?: { value?: unknown }[] }[];
    };
    const pending = (state.tasks ?? []).flatMap((task) => task.interrupts ?? []).map((interrupt) => interrupt.value as ApprovalInterrupt);
    const approval = pending.find((value) => value?.type === 'approval-request');
    if (!approval) {
      if (pending.length > 0) return;
      throw new TrellisError('RUN_RESUME_INVALID', `thread ${threadId} is not waiting for an approval`);
    }
    (await graphs()).approval.parseApprovalResume(resume, approval.requests);
  }

  function targets(): readonly string[] {
    return [...GRAPH_TARGETS, ...agents.list().map((agent) => agent.name)];
  }

  async function graphFor(target: string): Promise<StreamableGraph> {
    let graph = compiled.get(target);
    if (!graph) {
      graph = await build(target);
      compiled.set(target, graph);
    }
    return graph;
  }

  /** The graph a thread's checkpoints were written by; undefined for a thread nothing has run on yet. */
  async function threadGraph(tenantId: string, threadId: string) {
    const thread = threads.get(tenantId, threadId);
    return thread.target ? { thread, graph: (await graphFor(thread.target)) as unknown as StatefulGraph } : undefined;
  }

  return {
    targets,
    holdThread(threadId) {
      checkpointer.hold(threadId);
      journal.hold(threadId);
    },
    async keepThread(threadId) {
      await checkpointer.keep(threadId);
      journal.keep(threadId);
    },
    discardThread(threadId) {
      checkpointer.discard(threadId);
      journal.discard(threadId);
    },
    async deleteThreadState(threadId) {
      await checkpointer.deleteThread(threadId);
      journal.deleteThread(threadId);
    },
    async state(tenantId, threadId) {
      const found = await threadGraph(tenantId, threadId);
      if (!found) return undefined;
      const snapshot = await found.graph.getState({ configurable: { thread_id: threadId } });
      return snapshot.config?.configurable?.checkpoint_id ? snapshot : undefined;
    },
    async history(tenantId, threadId, { limit = 10, before } = {}) {
      const found = await threadGraph(tenantId, threadId);
      if (!found) return [];
      const snapshots: ThreadStateSnapshot[] = [];
      const options = { limit, ...(before ? { before: { configurable: { thread_id: threadId, checkpoint_id: before } } } : {}) };
      for await (const snapshot of found.graph.getStateHistory({ configurable: { thread_id: threadId } }, options)) snapshots.push(snapshot);
      return snapshots;
    },
    async *stream(request) {
      const existing = request.thread ?? (request.threadId ? threads.get(request.tenantId, request.threadId) : undefined);
      const target = request.target ?? (existing?.target || 'rag');
      const graph = await graphFor(target);
      const kb = request.kb ?? (existing?.metadata.kb as string | undefined);
      if ((target === 'rag' || target === 'research') && !kb) {
        throw new TrellisError('API_BODY_INVALID', `the ${target} graph needs a knowledge base (kb)`);
      }
      if (request.resume === undefined && !request.message && !request.messages?.length) {
        throw new TrellisError('API_BODY_INVALID', 'a run needs a message, or a resume value answering an approval request');
      }
      const thread = existing ?? threads.create(request.tenantId, target, { ...request.metadata, ...(kb ? { kb } : {}) });
      // A thread created empty (the Agent Protocol's POST /threads) belongs to the first target that runs on it.
      if (!thread.target) threads.assignTarget(thread, target, kb);
      else if (thread.target !== target) {
        throw new TrellisError('API_BODY_INVALID', `thread ${thread.id} belongs to ${thread.target}; it cannot run ${target}`, {
          hint: `Run ${thread.target} on this thread, or start a new thread for ${target}.`,
        });
      }
      // A bad resume value is refused here, before it reaches the graph: a node re-run on resume replays every
      // value it was given, so one stored bad value would keep the thread asking.
      if (request.resume !== undefined) await validateResume(graph, thread.id, request.resume);
      const held = checkpointer.holds(thread.id);
      if (!held) threads.touch(thread);
      const { Command } = (await graphs()).langgraph;
      const input =
        request.resume !== undefined
          ? new Command({ resume: request.resume })
          : {
              messages: request.messages?.length ? [...request.messages] : [new HumanMessage(request.message!)],
              ...(GRAPH_TARGETS.includes(target as never) && kb ? { kb } : {}),
            };
      yield* streamRunEvents({
        graph,
        input,
        runId: request.runId ?? options.generateId(),
        threadId: thread.id,
        extraStreamModes: request.extraStreamModes,
        tokens: request.tokens,
        onChunk: request.onChunk,
        config: {
          signal: request.signal,
          // Room for a supervisor's handoffs, each running a member's full react loop (3 steps a model turn).
          recursionLimit: Math.max((options.maxModelTurns * 3 + 2) * 2, 50),
          // A held thread's state is in memory and dies with the process: one checkpoint at the end is all it needs.
          ...(request.durability || held ? ({ durability: request.durability ?? 'exit' } as RunnableConfig) : {}),
          configurable: {
            ...request.traceConfigurable,
            tenantId: request.tenantId,
            kb,
            ...(request.clientTools ? { clientTools: request.clientTools } : {}),
          },
        },
      });
    },
  };
}

/** The knowledge service's search, each call reported as a retrieval of the run it is made in. */
function reportingSearches(knowledge: KnowledgeService): Pick<KnowledgeService, 'search'> {
  return {
    search: (request) =>
      reportRetrieverRun(
        { kb: request.kb, query: request.query, mode: request.mode },
        () => knowledge.search(request),
        (result) => result.hits.map((hit) => ({ text: hit.text, source: hit.citation.source, score: hit.score, chunkId: hit.chunkId })),
      ),
  };
}

/** The tool, each call reported as a tool call of the run it is made in (searches inside it hang under it). */
function reportingCalls(tool: AnyToolDefinition): AnyToolDefinition {
  return { ...tool, execute: (input, context) => reportToolRun(tool.name, input, async () => tool.execute(input, context)) };
}
