import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createCheckpointer, type Checkpointer } from '../core/checkpointer.js';
import { loadConfig, type TrellisConfig, type TrellisConfigOverrides } from '../core/config.js';
import { openDatabase, type SqliteDatabase } from '../core/db.js';
import { TrellisError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { selectChatModel, type ChatModelSelection } from '../core/models/select-chat-model.js';
import { createEmbedderHandle, type EmbedderHandle } from '../core/models/select-embedder.js';
import { createRerankerHandle, type RerankerHandle } from '../core/models/select-reranker.js';
import { createKnowledgeService, type KnowledgeService } from '../rag/knowledge-service.js';
import { traceIngests } from './traced-knowledge.js';
import { createFts5KeywordStore } from '../rag/stores/keyword/fts5-keyword-store.js';
import { selectGraphExtractor } from '../rag/extract/select-extractor.js';
import { createGraphStore } from '../rag/stores/graph/create-graph-store.js';
import type { GraphStore } from '../rag/stores/graph/types.js';
import type { KeywordStore } from '../rag/stores/types.js';
import { createBuiltinTools } from '../tools/builtin-tools.js';
import { createToolRegistry, type ToolRegistry } from '../tools/registry.js';
import { mountMcpServers, type McpServerStatus } from '../tools/mcp/mount-mcp-servers.js';
import { withMountedTools } from '../tools/mcp/with-mounted-tools.js';
import { builtinAgents } from '../agents/builtin-agents.js';
import { createAgentRegistry, type AgentRegistry } from '../agents/registry.js';
import { createToolJournal } from '../graphs/tool-journal.js';
import { createFeedbackService, type FeedbackService } from '../core/tracing/feedback-service.js';
import { FeedbackStore } from '../core/tracing/feedback-store.js';
import { createScoreExporter } from '../core/tracing/langfuse-scores.js';
import { TraceStore } from '../core/tracing/trace-store.js';
import { createTracing, type Tracing } from '../core/tracing/tracing.js';
import { TRELLIS_VERSION } from '../core/version.js';
import { runtimeMigrations } from './migrations.js';
import { ApiKeys } from './api-keys.js';
import { IngestJobs } from './ingest-jobs.js';
import { RunManager } from './run-manager.js';
import { RunRecords } from './run-records.js';
import { createRunService, type RunService } from './runs.js';
import { Threads } from './threads.js';
import type { ReadinessCheck } from './readiness.js';
import { createVectorStoreProvider, type VectorStoreProvider } from './vector-store-provider.js';

export interface CreateRuntimeOptions {
  /** A validated configuration; when absent it is loaded from env and config files with `overrides` on top. */
  config?: TrellisConfig;
  overrides?: TrellisConfigOverrides;
  logger?: Logger;
  /** Test seams, like vercel's `_internal`: ids and clocks are injectable so outputs can be asserted exactly. */
  generateId?: () => string;
  now?: () => Date;
  /** False leaves `mcpServers` unmounted: `trellis mcp serve` must not start servers that may start it in turn. */
  mountMcpServers?: boolean;
}

export interface RuntimeModels {
  readonly chat: ChatModelSelection;
  readonly embedder: EmbedderHandle;
  readonly reranker: RerankerHandle;
}

export type { ReadinessCheck } from './readiness.js';

/**
 * The composition root: the one object that knows every layer. Entry points (API, CLI, MCP servers) get what they
 * need from it; each layer below receives only its own narrow dependencies.
 */
export interface Runtime {
  readonly config: TrellisConfig;
  readonly logger: Logger;
  readonly db: SqliteDatabase;
  /** Thread state for LangGraph: `graph.compile({ checkpointer: runtime.checkpointer.saver })`. */
  readonly checkpointer: Checkpointer;
  readonly instanceId: string;
  readonly models: RuntimeModels;
  readonly knowledge: KnowledgeService;
  /** Uploads being ingested in the background, with their progress: what the API's knowledge routes queue. */
  readonly ingestJobs: IngestJobs;
  /** `graph` is the knowledge graph's store, absent when rag.graph is off. */
  readonly stores: { readonly keyword: KeywordStore; readonly vector: VectorStoreProvider; readonly graph?: GraphStore };
  readonly tools: ToolRegistry;
  /** How each configured external MCP server fared at start-up; the mounted ones' tools are in `tools`. */
  readonly mcpServers: readonly McpServerStatus[];
  readonly agents: AgentRegistry;
  readonly threads: Threads;
  readonly runs: RunService;
  /** Background runs with their logs and records: what the API's transports start, join, stream and cancel. */
  readonly runManager: RunManager;
  readonly apiKeys: ApiKeys;
  /** Spans of every run (root, nodes, model calls, tools, retrievals) to the configured sinks; `stats()` counts drops. */
  readonly tracing: Tracing;
  /** The local trace store: what `GET /traces` and `trellis traces` read. */
  readonly traces: TraceStore;
  /** Scores on runs (user feedback, eval metrics), stored locally and sent to Langfuse as scores on the run's trace. */
  readonly feedback: FeedbackService;
  readonly generateId: () => string;
  readonly now: () => Date;
  readonly started: boolean;
  /** Starts what runs beside the process (sidecars, warm-ups). Idempotent. */
  start(): Promise<void>;
  /** Stops children and closes every connection, in reverse order of creation. Idempotent; never throws. */
  stop(): Promise<void>;
  readiness(): Promise<readonly ReadinessCheck[]>;
}

/**
 * Builds the runtime in dependency order: configuration, database, models (later: stores, tools, agents, graphs).
 * Nothing here starts a process or listens on a port (`start()` does), except the configured MCP servers.
 *
 * @example
 * const runtime = await createRuntime({ overrides: { dataDir: tmp, server: { port: 0 } } });
 * await runtime.start();
 * try { ... } finally { await runtime.stop(); }
 */
export async function createRuntime(options: CreateRuntimeOptions = {}): Promise<Runtime> {
  const config = options.config ?? loadConfig({ overrides: options.overrides });
  const logger = options.logger ?? silentLogger;
  const generateId = options.generateId ?? randomUUID;
  const now = options.now ?? (() => new Date());
  const cleanups: { name: string; run: () => Promise<void> | void }[] = [];

  const dataDir = path.resolve(config.dataDir);
  const { db, migrations } = openDatabase({ file: path.join(dataDir, 'trellis.db'), migrations: runtimeMigrations, now });
  cleanups.push({ name: 'database', run: () => void db.close() });
  if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, 'database migrated');
  const instanceId = ensureInstanceId(db, generateId, now);
  let tracing: Tracing;
  try {
    tracing = createTracing({ settings: config.tracing, db, logger, version: TRELLIS_VERSION, now });
  } catch (error) {
    db.close();
    throw error;
  }
  // Stops after the runs (they end their spans) and before the database closes (the local sink writes to it).
  cleanups.push({ name: 'tracing', run: () => tracing.shutdown() });
  let checkpointer: Checkpointer;
  try {
    checkpointer = await createCheckpointer({ settings: config.stores.checkpoints, dataDir, logger });
  } catch (error) {
    db.close();
    throw error;
  }
  cleanups.push({ name: 'checkpointer', run: () => checkpointer.close() });

  let chat: ChatModelSelection;
  try {
    chat = await selectChatModel(config);
  } catch (error) {
    await unwind(cleanups);
    throw error;
  }
  // Info, not a warning: it is the normal state of a fresh install, and `trellis serve` shows it in its banner.
  if (chat.mode === 'retrieval-only') logger.info(chat.notice);
  else {
    logger.info({ provider: chat.provider, model: chat.modelId }, 'chat model selected');
    tracing.traceModelCalls(chat.model);
  }
  const embedder = createEmbedderHandle(config, logger);
  cleanups.push({ name: 'embedder', run: () => embedder.dispose() });
  const reranker = createRerankerHandle(config, logger);
  cleanups.push({ name: 'reranker', run: () => reranker.dispose() });
  cleanups.push({
    name: 'chat model',
    run: async () => {
      if (chat.mode === 'model' && 'dispose' in chat.model && typeof chat.model.dispose === 'function') {
        await (chat.model.dispose as () => Promise<void>)();
      }
    },
  });

  const vectorStores = createVectorStoreProvider(config, logger);
  cleanups.push({ name: 'vector store', run: () => vectorStores.stop() });
  const keywordStore = createFts5KeywordStore({ db });
  let graphStore: GraphStore | undefined;
  try {
    graphStore = config.rag.graph.enabled ? await createGraphStore({ settings: config.rag.graph, db, logger }) : undefined;
  } catch (error) {
    await unwind(cleanups);
    throw error;
  }
  if (graphStore) cleanups.push({ name: 'graph store', run: () => graphStore.close() });
  const chatModel = chat.mode === 'model' ? chat.model : undefined;
  const graph = graphStore && {
    store: graphStore,
    extractor: selectGraphExtractor({ settings: config.rag.graph, model: chatModel, logger }),
    model: chatModel,
  };
  const knowledge = traceIngests(createKnowledgeService({
    db,
    keywordStore,
    vectorStore: config.stores.vector.provider === 'none' ? undefined : () => vectorStores.get(),
    embedder: () => embedder.get(),
    reranker: () => reranker.get(),
    graph,
    chunking: { chunkSize: config.rag.chunkSize, chunkOverlap: config.rag.chunkOverlap },
    defaultTopK: config.rag.topK,
    maxFileBytes: config.rag.maxFileBytes,
    logger,
    generateId,
    now,
  }), tracing, generateId);
  const ingestJobs = new IngestJobs({ knowledge, stagingRoot: path.join(dataDir, 'uploads'), logger, generateId, now });
  // Jobs stop (and remove their uploads) before the stores and models they use close.
  cleanups.push({ name: 'ingest jobs', run: () => ingestJobs.stop() });

  let tools: ToolRegistry;
  let agents: AgentRegistry;
  let mcpServers: readonly McpServerStatus[] = [];
  try {
    const registry = await createToolRegistry({
      builtins: createBuiltinTools({ httpFetch: config.tools.httpFetch, graph: config.rag.graph.enabled }),
      directories: config.tools.dir ? [path.resolve(config.tools.dir)] : [],
      logger,
    });
    // Connected here rather than in start(): agents are checked against tool names, mounted ones included. A server
    // that fails is logged and reported, never fatal.
    const mounted = await mountMcpServers({
      servers: options.mountMcpServers === false ? {} : config.mcpServers,
      defaultTimeoutMs: config.tools.timeoutMs,
      reservedNames: new Set(registry.list().map((tool) => tool.name)),
      logger,
    });
    // Closed after the runs that call them have stopped.
    cleanups.push({ name: 'mcp servers', run: () => mounted.close() });
    mcpServers = mounted.statuses;
    tools = withMountedTools(registry, mounted.tools);
    agents = await createAgentRegistry({
      builtins: builtinAgents,
      directories: config.agents.dir ? [path.resolve(config.agents.dir)] : [],
      logger,
      toolNames: new Set(tools.list().map((tool) => tool.name)),
    });
  } catch (error) {
    await unwind(cleanups);
    throw error;
  }
  const threads = new Threads(db, generateId, now);
  const runs = createRunService({
    chat,
    knowledge,
    tools,
    agents,
    threads,
    journal: createToolJournal({ db, now }),
    checkpointer: checkpointer.saver,
    toolLimits: { timeoutMs: config.tools.timeoutMs, maxOutputBytes: config.tools.maxOutputBytes },
    maxModelTurns: config.agents.maxTurns,
    logger,
    generateId,
  });

  const traces = new TraceStore(db);
  const feedbackStore = new FeedbackStore(db);
  const runManager = new RunManager({
    runs,
    records: new RunRecords(db, now),
    threads,
    logger,
    generateId,
    retentionMs: config.server.runRetentionSeconds * 1000,
    retentionCount: config.server.runRetentionCount,
    tracing,
    // Spans still queued for the local store are stored first, so that none of the thread's outlives the delete. Only
    // that sink: a delete must not wait on a remote one (Langfuse, OTLP) that is slow or down.
    eraseThreadTraces: async (tenantId, threadId) => {
      await tracing.flush('local');
      traces.deleteByThread(tenantId, threadId);
      feedbackStore.deleteByThread(tenantId, threadId);
    },
  });
  // Runs stop before the stores and models they use close.
  cleanups.push({ name: 'runs', run: () => runManager.drain(0) });
  const apiKeys = new ApiKeys(db, now);
  const feedback = createFeedbackService({ store: feedbackStore, exporter: createScoreExporter(config.tracing, logger), generateId, now });
  // Scores in flight get a moment to reach Langfuse before the process goes; they are in the feedback table anyway.
  cleanups.push({ name: 'feedback', run: () => feedback.shutdown(2000) });

  let started = false;
  let stopping: Promise<void> | undefined;

  return {
    config,
    logger,
    db,
    checkpointer,
    instanceId,
    models: { chat, embedder, reranker },
    knowledge,
    ingestJobs,
    stores: { keyword: keywordStore, vector: vectorStores, graph: graphStore },
    tools,
    mcpServers,
    agents,
    threads,
    runs,
    runManager,
    apiKeys,
    tracing,
    traces,
    feedback,
    generateId,
    now,
    get started() {
      return started;
    },
    async start() {
      if (stopping) throw new TrellisError('RUNTIME_NOT_STARTED', 'runtime was stopped; create a new one');
      if (started) return;
      started = true;
      vectorStores.start();
      tracing.start();
    },
    stop() {
      stopping ??= (async () => {
        started = false;
        for (const cleanup of [...cleanups].reverse()) {
          try {
            await cleanup.run();
          } catch (error) {
            logger.error({ err: error, part: cleanup.name }, 'failed to stop cleanly');
          }
        }
      })();
      return stopping;
    },
    async readiness() {
      return [databaseCheck(db), { name: 'checkpoints', ...(await checkpointer.check()) }, chatCheck(chat), embedderCheck(embedder), rerankerCheck(reranker), vectorStores.check(), ...mcpCheck(mcpServers)];
    },
  };
}

/** Undoes a start that failed halfway: whatever was built so far is closed, newest first. */
async function unwind(cleanups: readonly { run: () => Promise<void> | void }[]): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) await Promise.resolve(cleanup.run()).catch(() => undefined);
}

function ensureInstanceId(db: SqliteDatabase, generateId: () => string, now: () => Date): string {
  const insert = db.prepare('INSERT OR IGNORE INTO instance (key, value) VALUES (?, ?)');
  db.transaction(() => {
    insert.run('id', generateId());
    insert.run('created_at', now().toISOString());
  })();
  return db.prepare('SELECT value FROM instance WHERE key = ?').pluck().get('id') as string;
}

function databaseCheck(db: SqliteDatabase): ReadinessCheck {
  try {
    db.prepare('SELECT 1').get();
    return { name: 'database', state: 'ok', detail: db.name };
  } catch (error) {
    return { name: 'database', state: 'failed', detail: String(error), hint: 'Check the data directory and disk space.' };
  }
}

function chatCheck(chat: ChatModelSelection): ReadinessCheck {
  return chat.mode === 'model'
    ? { name: 'chat model', state: 'ok', detail: `${chat.provider}: ${chat.modelId}` }
    : { name: 'chat model', state: 'degraded', detail: 'retrieval-only mode', hint: chat.notice };
}

function embedderCheck(embedder: EmbedderHandle): ReadinessCheck {
  const status = embedder.status();
  if (status.state === 'failed') {
    return { name: 'embedder', state: 'degraded', detail: `${status.modelId}: ${status.code}`, hint: status.hint };
  }
  return { name: 'embedder', state: 'ok', detail: `${status.modelId}: ${status.state}` };
}

/** One check for the configured MCP servers (none when there are none): degraded while one is down. */
function mcpCheck(servers: readonly McpServerStatus[]): ReadinessCheck[] {
  if (servers.length === 0) return [];
  const failed = servers.filter((server) => server.state === 'failed');
  const detail = servers.map((server) => `${server.name}: ${server.state === 'mounted' ? `${server.tools.length} tools` : server.state}`).join(', ');
  if (failed.length === 0) return [{ name: 'mcp servers', state: 'ok', detail }];
  return [{ name: 'mcp servers', state: 'degraded', detail, hint: failed.map((server) => server.error?.message).join('; ') }];
}

function rerankerCheck(reranker: RerankerHandle): ReadinessCheck {
  const status = reranker.status();
  if (status.state === 'disabled') return { name: 'reranker', state: 'ok', detail: 'disabled' };
  if (status.state === 'failed') {
    return { name: 'reranker', state: 'degraded', detail: `${status.modelId}: ${status.code}`, hint: status.hint };
  }
  return { name: 'reranker', state: 'ok', detail: `${status.modelId}: ${status.state}` };
}
