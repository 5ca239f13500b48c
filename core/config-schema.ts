import { availableParallelism, homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

// Zod 4's `.default({})` on an object skips the inner defaults; `.prefault({})` parses `{}` through them,
// so a section that is absent still gets every one of its defaults.
const section = <T extends z.ZodRawShape>(shape: T) =>
  // The cast is sound: every key of a section has a default or is optional, which generics cannot see.
  z.strictObject(shape).prefault(() => ({}) as z.input<z.ZodObject<T, z.core.$strict>>);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'trellis', 'models');
}

/** Native inference threads: every core but one for the server, at most four (more stops paying off). */
function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

const chatSettings = section({
  /**
   * `auto` picks the first that is available: `chat.baseUrl`, then an OpenAI key, then an Anthropic key, then the
   * cached local GGUF; with none of them Trellis runs in retrieval-only mode.
   */
  provider: z.enum(['auto', 'openai-compatible', 'anthropic', 'llama-cpp', 'scripted', 'none']).default('auto'),
  /** Model id at the endpoint, or for llama-cpp a catalogue name or a .gguf path. */
  model: z.string().min(1).optional(),
  baseUrl: z.url().optional(),
  apiKey: z.string().min(1).optional(),
  temperature: z.number().min(0).max(2).default(0.2),
  maxTokens: z.number().int().positive().default(1024),
  contextSize: z.number().int().min(256).default(4096),
  /** For the scripted provider: a JSON file of turns (see core/models/scripted-chat-model.ts). */
  scriptPath: z.string().min(1).optional(),
});

const embeddingSettings = section({
  provider: z.enum(['onnx', 'openai-compatible']).default('onnx'),
  /** A catalogue name (`trellis models list`) or, for hosted providers, the model id at the endpoint. */
  model: z.string().min(1).default('bge-small-en-v1.5'),
  /** A local model directory (model.onnx + tokenizer.json) used instead of the catalogue. */
  path: z.string().min(1).optional(),
  baseUrl: z.url().optional(),
  apiKey: z.string().min(1).optional(),
  dimensions: z.number().int().positive().optional(),
  batchSize: z.number().int().min(1).max(2048).default(32),
});

const rerankerSettings = section({
  provider: z.enum(['onnx', 'none']).default('onnx'),
  model: z.string().min(1).default('ms-marco-minilm-l6-v2'),
  path: z.string().min(1).optional(),
});

/**
 * One external MCP server whose tools are mounted into the tool registry, in the shape MCP clients share: a program
 * to start over stdio (`command`, `args`, `env`) or a streamable HTTP endpoint (`url`, `headers`).
 */
const mcpServerSettings = z
  .strictObject({
    /** Optional, for configs copied from clients that name the transport; inferred from `command` or `url`. */
    type: z.enum(['stdio', 'http', 'streamable-http']).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    /** Added to a minimal environment (PATH, HOME, ...): the server does not inherit Trellis's secrets. */
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
    url: z.url().optional(),
    /** Sent with every HTTP request, e.g. `{ "Authorization": "Bearer ..." }`. */
    headers: z.record(z.string(), z.string()).default({}),
    /** Which of its tools pause a run for a person's approval: all (the default), none, or those named. */
    requireApproval: z.union([z.enum(['always', 'never']), z.array(z.string().min(1))]).default('always'),
    /** Longest a connection or a tool call may take; `tools.timeoutMs` for calls when unset. */
    timeoutMs: z.number().int().min(100).optional(),
    enabled: z.boolean().default(true),
  })
  .refine((server) => (server.command === undefined) !== (server.url === undefined), 'set either command (stdio) or url (streamable HTTP)')
  .refine((server) => !server.type || (server.type === 'stdio') === (server.command !== undefined), 'type does not match: stdio needs command, http needs url');

/**
 * Every Trellis setting, one schema. Precedence: explicit option > TRELLIS_* variable > trellis.config.(json|yaml)
 * > default. Sections are strict, so a misspelt key fails at start-up instead of being ignored.
 */
export const TrellisConfigSchema = z.strictObject({
  server: section({
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 asks the OS for any free port (tests use it and read the port back). */
    port: z.number().int().min(0).max(65_535).default(3700),
    /** Seconds to let in-flight requests finish on shutdown before connections are cut. */
    shutdownGraceSeconds: z.number().min(0).max(600).default(10),
    /** Browser origins allowed to call the API (CORS); empty, the default, sends no CORS headers at all. */
    corsOrigins: z.array(z.string().min(1)).default([]),
    /** Finished runs' event logs kept in memory for `join` and stream reconnects, in seconds. */
    runRetentionSeconds: z.number().int().min(0).default(600),
    /** At most this many finished runs' logs are kept in memory (the oldest go first). */
    runRetentionCount: z.number().int().min(0).default(2000),
  }),
  dataDir: z.string().min(1).default('./data'),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  models: section({
    /** A folder of model files the user provides (one sub-folder per catalogue name); searched before the cache. */
    dir: z.string().min(1).optional(),
    cacheDir: z.string().min(1).default(defaultCacheDir()),
    /** Base URL that catalogue file paths are fetched from (a Hugging Face mirror). */
    mirror: z.url().default('https://huggingface.co'),
    threads: z.number().int().min(1).max(256).default(defaultThreads()),
    chat: chatSettings,
    embedding: embeddingSettings,
    reranker: rerankerSettings,
  }),
  stores: section({
    vector: section({
      /** `chroma` runs a Chroma sidecar owned by Trellis unless `url` names a server; `none` is keyword-only. */
      provider: z.enum(['chroma', 'none']).default('chroma'),
      /** A Chroma server or cluster to use instead of the sidecar. */
      url: z.url().optional(),
      /** Start of every collection name, so several Trellis installations can share one Chroma. */
      collectionPrefix: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,30}$/).default('trellis'),
    }),
    /** Where LangGraph keeps thread state (checkpoints): time travel, resumption after a restart, interrupts. */
    checkpoints: section({
      /** `sqlite` keeps them in `<dataDir>/checkpoints.db`; `postgres` in the server `url` names (for several replicas). */
      provider: z.enum(['sqlite', 'postgres']).default('sqlite'),
      /** A PostgreSQL connection string (`postgres://user:password@host:5432/db`); required for `postgres`. */
      url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection string').optional(),
      /** The PostgreSQL schema holding the checkpoint tables, so several installations can share one database. */
      schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('public'),
    }),
  }),
  rag: section({
    /** Largest chunk, in (estimated) tokens. */
    chunkSize: z.number().int().min(16).max(8192).default(256),
    chunkOverlap: z.number().int().min(0).max(4096).default(32),
    /** Passages a search returns unless it asks for another number. */
    topK: z.number().int().min(1).max(200).default(8),
    /** Files larger than this are refused at ingestion with DOCUMENT_TOO_LARGE. */
    maxFileBytes: z.number().int().min(1024).default(50 * 1024 * 1024),
    /** The knowledge graph (entities and relations per chunk) behind the graph-* search modes and `graph_query`. */
    graph: section({
      /** Off by default: extraction adds to every ingest. Knowledge bases ingested while off need a reindex. */
      enabled: z.boolean().default(false),
      /** `offline` (wink-nlp, no model needed) or `llm` (the chat model's structured output; offline without one). */
      extractor: z.enum(['offline', 'llm']).default('offline'),
      /** `embedded`: SQLite tables in the runtime's database; `neo4j`: the server `neo4j` names. */
      store: z.enum(['embedded', 'neo4j']).default('embedded'),
      neo4j: section({
        uri: z.string().regex(/^(neo4j|bolt)(\+s|\+ssc)?:\/\//, 'must be a neo4j:// or bolt:// URI').optional(),
        user: z.string().min(1).default('neo4j'),
        password: z.string().min(1).optional(),
        database: z.string().min(1).default('neo4j'),
      }),
    }),
  }),
  /** Credentials of hosted providers, read from their own well-known variables (OPENAI_API_KEY, ...). */
  providers: section({
    openai: section({ apiKey: z.string().min(1).optional(), baseUrl: z.url().optional() }),
    anthropic: section({ apiKey: z.string().min(1).optional(), baseUrl: z.url().optional() }),
  }),
  auth: section({
    /** Off only for local experiments: every request then acts as the `default` tenant's admin. */
    enabled: z.boolean().default(true),
    /** Requests one API key may make per minute (every route but health checks); 0 turns the limit off. */
    rateLimitPerMinute: z.number().int().min(0).default(600),
  }),
  tracing: section({
    /** Off: no spans at all (no sink sees anything). */
    enabled: z.boolean().default(true),
    /** Spans in the runtime's SQLite database, for `GET /traces` and `trellis traces`. */
    local: section({
      enabled: z.boolean().default(true),
      retentionDays: z.number().int().min(1).default(14),
      /** The oldest spans go first once there are more than this. */
      maxSpans: z.number().int().min(1000).default(1_000_000),
      /** Keep inputs and outputs (prompts, answers, tool arguments); off keeps timings, tokens and errors only. */
      includeContent: z.boolean().default(true),
    }),
    /** Langfuse, when both keys are set (LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, LANGFUSE_BASE_URL). */
    langfuse: section({
      publicKey: z.string().min(1).optional(),
      secretKey: z.string().min(1).optional(),
      baseUrl: z.url().optional(),
      includeContent: z.boolean().default(true),
    }),
    /** Any OTLP/HTTP collector (Jaeger, Tempo, Phoenix, an OpenTelemetry Collector): its /v1/traces URL. */
    otlp: section({
      endpoint: z.url().optional(),
      headers: z.record(z.string(), z.string()).default({}),
      includeContent: z.boolean().default(true),
    }),
    /** Masking applied to every span attribute before any sink sees it. */
    redact: section({
      emails: z.boolean().default(true),
      phoneNumbers: z.boolean().default(true),
      /** API keys and bearer tokens (Trellis keys, sk-…, Bearer …, AWS access keys, JWTs). */
      apiKeys: z.boolean().default(true),
      /** Your own regular expressions; each match is replaced by [REDACTED]. */
      patterns: z.array(z.string().min(1)).default([]),
    }),
    /** Cost estimates: USD per million tokens, by model id as the provider reports it. */
    prices: z
      .record(z.string().min(1), z.strictObject({ inputPerMillionTokens: z.number().min(0), outputPerMillionTokens: z.number().min(0) }))
      .default({}),
    /** Spans each exporter may hold while its sink is slow or down; beyond that, spans are dropped and counted. */
    maxQueueSpans: z.number().int().min(100).default(10_000),
  }),
  limits: section({
    requestBodyBytes: z.number().int().min(1024).default(1024 * 1024),
    uploadBytes: z.number().int().min(1024).default(50 * 1024 * 1024),
    requestTimeoutMs: z.number().int().min(1000).default(120_000),
  }),
  agents: section({
    /** A folder of your own agents: every .ts/.js/.mjs file in it default-exports one `defineAgent(...)`. */
    dir: z.string().min(1).optional(),
    /** Most model turns of one agent run before it must answer. */
    maxTurns: z.number().int().min(1).max(100).default(12),
  }),
  tools: section({
    /** A folder of your own tools: every .ts/.js/.mjs file in it default-exports one `defineTool(...)`. */
    dir: z.string().min(1).optional(),
    /** Longest a tool call may run unless its definition sets its own `timeoutMs`. */
    timeoutMs: z.number().int().min(100).default(30_000),
    /** A tool result whose JSON is larger than this is truncated (with a marker) before the model sees it. */
    maxOutputBytes: z.number().int().min(1024).default(64 * 1024),
    httpFetch: section({
      /** Hosts `http_fetch` may reach (`example.com`, or `.example.com` for its subdomains); empty: any public host. */
      allowHosts: z.array(z.string().min(1)).default([]),
      /** Response bytes read before the body is cut off (and marked truncated). */
      maxBytes: z.number().int().min(1024).default(1024 * 1024),
      timeoutMs: z.number().int().min(100).default(15_000),
    }),
  }),
  /** External MCP servers, by name: their tools join the registry as `<name>_<tool>` (see docs/mcp.md). */
  mcpServers: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'a name of letters, digits, - and _ (at most 32), starting with a letter'), mcpServerSettings).default({}),
});

export type TrellisConfig = z.output<typeof TrellisConfigSchema>;
/** One entry of `mcpServers`, defaults applied. */
export type McpServerSettings = z.output<typeof mcpServerSettings>;

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
/** What a caller may pass explicitly: any subset of the settings. */
export type TrellisConfigOverrides = DeepPartial<z.input<typeof TrellisConfigSchema>>;
