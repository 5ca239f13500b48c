/**
 * The one catalogue of failure codes a Trellis user can meet.
 *
 * Each code is `AREA_PROBLEM`, declared once with the HTTP status the API answers with and a default hint that
 * says what to do next. Later layers add their codes here, never elsewhere, so that the README's error table,
 * the API and the CLI always agree (a unit test keeps the README table and this catalogue equal).
 */
export const ERROR_CODES = {
  CONFIG_INVALID: {
    status: 500,
    hint: 'Fix the value named above in trellis.config.(json|yaml), the TRELLIS_* variable or the option that set it.',
  },
  CONFIG_FILE_UNREADABLE: {
    status: 500,
    hint: 'Check that TRELLIS_CONFIG (or ./trellis.config.json|yaml) names a readable JSON or YAML file.',
  },
  DB_OPEN_FAILED: {
    status: 500,
    hint: 'Check that TRELLIS_DATA_DIR is writable and that no other program holds the database file open.',
  },
  DB_MIGRATION_FAILED: {
    status: 500,
    hint: 'Nothing was changed: the failing migration was rolled back. Restore from a backup or report the error.',
  },
  DB_SCHEMA_NEWER: {
    status: 500,
    hint: 'This database was written by a newer Trellis. Upgrade Trellis, or point TRELLIS_DATA_DIR elsewhere.',
  },
  ASSET_UNKNOWN: {
    status: 404,
    hint: 'Run `trellis models list` to see the model files Trellis knows.',
  },
  MODEL_UNAVAILABLE: {
    status: 503,
    hint: 'Run the `trellis models pull …` command above on a machine with network access, or set TRELLIS_MODELS_DIR.',
  },
  ASSET_CHECKSUM_MISMATCH: {
    status: 502,
    hint: 'The download was corrupted or the mirror serves another file; run `trellis models pull` again.',
  },
  ASSET_DOWNLOAD_FAILED: {
    status: 502,
    hint: 'Check the network or TRELLIS_MODELS_MIRROR, then run `trellis models pull` again; it resumes.',
  },
  MODEL_NOT_CONFIGURED: {
    status: 503,
    hint: 'Set OPENAI_API_KEY (or TRELLIS_CHAT_BASE_URL), ANTHROPIC_API_KEY, or run `trellis models pull` for a local model.',
  },
  MODEL_LOAD_FAILED: {
    status: 500,
    hint: 'Run `trellis models verify` and `trellis doctor`; the file may be damaged or the native module missing.',
  },
  MODEL_CALL_FAILED: {
    status: 502,
    hint: 'The model provider failed; check its URL, key and logs. Retryable failures are retried automatically.',
  },
  MODEL_ABORTED: {
    status: 499,
    hint: 'The call was cancelled by its caller; nothing needs fixing.',
  },
  MODEL_OUTPUT_INVALID: {
    status: 502,
    hint: 'The model answered in a shape Trellis cannot use; try a stronger model or lower the temperature.',
  },
  MODEL_SCRIPT_EXHAUSTED: {
    status: 500,
    hint: 'The scripted model ran out of turns; add turns to its script for this conversation.',
  },
  EMBEDDING_INPUT_INVALID: {
    status: 400,
    hint: 'Pass a non-empty list of strings to embed.',
  },
  SERVER_PORT_IN_USE: {
    status: 500,
    hint: 'Set TRELLIS_PORT to a free port (or 0 for any free port), or stop the program using it.',
  },
  RUNTIME_NOT_STARTED: {
    status: 503,
    hint: 'Call runtime.start() before using it (`trellis serve` does this for you).',
  },
  VECTOR_STORE_UNAVAILABLE: {
    status: 503,
    hint: 'Let Trellis start Chroma itself, or check TRELLIS_CHROMA_URL; queries recover once Chroma is back.',
  },
  VECTOR_STORE_START_FAILED: {
    status: 500,
    hint: 'Run `trellis doctor`; check that the chromadb package installed its native binding and the data dir is writable.',
  },
  VECTOR_DIMENSION_MISMATCH: {
    status: 409,
    hint: 'The knowledge base was indexed with another embedder; run `trellis kb reindex` after changing models.',
  },
  DOCUMENT_UNSUPPORTED_TYPE: {
    status: 415,
    hint: 'Supported: .md, .txt, .html, .pdf, .docx, .jsonl, .csv.',
  },
  DOCUMENT_UNREADABLE: {
    status: 422,
    hint: 'The file is damaged, encrypted or not what its extension says; fix or remove it. The rest of the batch went on.',
  },
  DOCUMENT_EMPTY: {
    status: 422,
    hint: 'The file has no text to index (empty, or only images); nothing was stored for it.',
  },
  DOCUMENT_TOO_LARGE: {
    status: 413,
    hint: 'Split the file, or raise TRELLIS_LIMITS__UPLOAD_BYTES.',
  },
  KB_NOT_FOUND: {
    status: 404,
    hint: 'Run `trellis kb list` to see the knowledge bases of this tenant.',
  },
  API_NOT_FOUND: {
    status: 404,
    hint: 'Check the URL; the API reference is served at /docs.',
  },
  API_BODY_INVALID: {
    status: 400,
    hint: 'Fix the request body fields named in the message.',
  },
  API_BODY_TOO_LARGE: {
    status: 413,
    hint: 'Send a smaller body, or raise TRELLIS_LIMITS__REQUEST_BODY_BYTES on the server.',
  },
  API_MEDIA_TYPE_UNSUPPORTED: {
    status: 415,
    hint: 'Send the body as application/json (or multipart/form-data for uploads).',
  },
  RETRIEVAL_REQUEST_INVALID: {
    status: 400,
    hint: 'Pass a positive integer topK and non-negative fusion weights.',
  },
  EVAL_DATASET_INVALID: {
    status: 422,
    hint: 'Check the dataset file named above against the format its loader documents (evals/datasets/<loader>.ts): BEIR jsonl/tsv, SMART .I/.W records, JSON or JSON Lines.',
  },
  CHECKPOINT_STORE_UNAVAILABLE: {
    status: 503,
    hint: 'Check that PostgreSQL is running and TRELLIS_POSTGRES_URL names a reachable server, user and database; or use TRELLIS_STORES__CHECKPOINTS__PROVIDER=sqlite.',
  },
  TOOL_DEFINITION_INVALID: {
    status: 500,
    hint: 'Fix the defineTool() call named above: a snake_case name, a description, a zod object schema and an execute function.',
  },
  TOOL_LOAD_FAILED: {
    status: 500,
    hint: 'The tool file named above could not be loaded; fix it (the other tools were loaded). `trellis doctor` lists such problems.',
  },
  TOOL_DUPLICATE: {
    status: 500,
    hint: 'Two tools declare the same name; rename the tool in one of the two files named above.',
  },
  TOOL_NOT_FOUND: {
    status: 404,
    hint: 'Use one of the tool names listed above, or add a tool file to the folder set by tools.dir.',
  },
  TOOL_INPUT_INVALID: {
    status: 400,
    hint: 'Call the tool again with arguments that match its schema; each issue names the field to fix.',
  },
  TOOL_TIMEOUT: {
    status: 504,
    hint: 'The tool took longer than its limit; ask for less, or raise tools.timeoutMs (or the timeoutMs in the tool definition).',
  },
  TOOL_FAILED: {
    status: 502,
    hint: 'The tool failed for the reason above; the server log has the details.',
  },
  TOOL_URL_BLOCKED: {
    status: 403,
    hint: 'Only http(s) URLs of public hosts can be fetched, and only hosts in tools.httpFetch.allowHosts when that list is set.',
  },
  THREAD_NOT_FOUND: {
    status: 404,
    hint: 'Start a new thread, or list this tenant\'s threads; thread ids of other tenants are not visible.',
  },
  RUN_TARGET_UNKNOWN: {
    status: 404,
    hint: 'Run a graph (rag, research) or an agent; `trellis agents list` shows the agents.',
  },
  GRAPH_DEFINITION_INVALID: {
    status: 500,
    hint: 'Fix the graph definition named above (member names, missing parts); the graph was not built.',
  },
  GRAPH_STEP_FAILED: {
    status: 502,
    hint: 'A step of the graph (a research branch, a member agent) failed for the reason above; fix it and run again. A checkpointed thread resumes from that step.',
  },
  TOOL_INTERRUPTED: {
    status: 500,
    hint: 'The process stopped while this tool ran and it is not idempotent, so it was not run again; check whether it took effect before retrying.',
  },
  AGENT_DEFINITION_INVALID: {
    status: 500,
    hint: 'Fix the defineAgent() call named above: a kebab- or snake_case name, a description, instructions, and tools and handoffs that exist.',
  },
  AGENT_LOAD_FAILED: {
    status: 500,
    hint: 'The agent file named above could not be loaded; fix it (the other agents were loaded). `trellis doctor` lists such problems.',
  },
  AGENT_NOT_FOUND: {
    status: 404,
    hint: 'Use one of the agent names listed above, or add an agent file to the folder set by agents.dir.',
  },
  RUN_RESUME_INVALID: {
    status: 400,
    hint: 'Resume with {"decisions": {"<toolCallId>": {"action": "approve" | "edit" | "reject", ...}}} covering every pending call, or one {"action": ...} for all.',
  },
  RUN_NOT_FOUND: {
    status: 404,
    hint: 'List the runs of the thread; run ids of other tenants are not visible, and finished runs are kept for a limited time.',
  },
  RUN_CANCELLED: {
    status: 409,
    hint: 'The run was cancelled (by a client, a newer run on its thread, or a shutdown); its thread keeps every completed step, so run again to continue.',
  },
  THREAD_BUSY: {
    status: 409,
    hint: 'A run is already active on this thread; wait for it (join), cancel it, or send multitask_strategy "enqueue" or "interrupt".',
  },
  AUTH_REQUIRED: {
    status: 401,
    hint: 'Send an API key as `Authorization: Bearer <key>` (or `x-api-key: <key>`); `trellis keys create` makes one.',
  },
  AUTH_INVALID: {
    status: 401,
    hint: 'The API key is unknown or revoked; `trellis keys list` shows the active keys.',
  },
  AUTH_SCOPE_MISSING: {
    status: 403,
    hint: 'This route needs a key with the scope named above; create one with `trellis keys create --tenant <t> --scopes <scopes>`.',
  },
  API_KEY_NOT_FOUND: {
    status: 404,
    hint: 'Run `trellis keys list` to see the key ids.',
  },
  API_RATE_LIMITED: {
    status: 429,
    hint: 'Too many requests for this API key; retry after the number of seconds in the Retry-After header, or raise TRELLIS_AUTH__RATE_LIMIT_PER_MINUTE.',
  },
  UPLOAD_TYPE_UNSUPPORTED: {
    status: 415,
    hint: 'Upload .md, .txt, .html, .pdf, .docx, .jsonl or .csv files as multipart/form-data.',
  },
  SERVER_SHUTTING_DOWN: {
    status: 503,
    hint: 'The server is stopping; retry against another replica or after it has restarted. Threads keep their state.',
  },
  WS_FRAME_INVALID: {
    status: 400,
    hint: 'Send one JSON object per text frame, with the fields docs/websocket.md lists for its type; the socket stays open.',
  },
  WS_FRAME_TYPE_UNKNOWN: {
    status: 400,
    hint: 'Use a frame type listed in the message (docs/websocket.md describes each); the socket stays open.',
  },
  WS_FRAME_TOO_LARGE: {
    status: 413,
    hint: 'Send a smaller frame, or raise TRELLIS_LIMITS__REQUEST_BODY_BYTES on the server; the socket stays open.',
  },
  WS_RUN_LIMIT: {
    status: 429,
    hint: 'This socket follows as many runs as one socket may; unsubscribe from one, wait for one to end, or open another socket.',
  },
  KB_ALREADY_EXISTS: {
    status: 409,
    hint: 'Pick another name, or use the existing knowledge base; GET /knowledge-bases lists them.',
  },
  DOCUMENT_NOT_FOUND: {
    status: 404,
    hint: 'List the knowledge base\'s documents: a document id is the uploaded file\'s path (`<file>#<record id>` for JSONL and CSV records).',
  },
  INGEST_JOB_NOT_FOUND: {
    status: 404,
    hint: 'Ingest jobs are kept for an hour after they end, and not across restarts; upload again (unchanged files cost nothing).',
  },
  UPLOAD_TOO_LARGE: {
    status: 413,
    hint: 'Send fewer or smaller files per request (the limits are in the message), or raise TRELLIS_LIMITS__UPLOAD_BYTES.',
  },
  ASSISTANT_NOT_FOUND: {
    status: 404,
    hint: 'POST /assistants/search lists the assistants: the graphs rag, research and pipeline, and every agent, by name or id.',
  },
  THREAD_EXISTS: {
    status: 409,
    hint: 'Thread ids are unique on the server: pick another id, leave thread_id out to get a fresh one, or send if_exists "do_nothing" to reuse your own thread.',
  },
  LANGGRAPH_UNSUPPORTED: {
    status: 422,
    hint: 'Trellis serves a subset of the LangGraph Agent Protocol; docs/agent-protocol.md lists what it supports.',
  },
  API_URL_INVALID: {
    status: 400,
    hint: 'Percent-encode each path segment as UTF-8 (`encodeURIComponent`); ids in a path are at most 256 characters.',
  },
  API_HEADERS_TOO_LARGE: {
    status: 431,
    hint: 'Send a shorter URL and fewer or smaller headers (16 KiB together); large inputs belong in the body.',
  },
  API_REQUEST_TIMEOUT: {
    status: 408,
    hint: 'The request did not arrive in full within TRELLIS_LIMITS__REQUEST_TIMEOUT_MS; check the network, or send a smaller body.',
  },
  API_REQUEST_MALFORMED: {
    status: 400,
    hint: 'The server could not parse this HTTP/1.1 request; the client or a proxy in between sends broken HTTP.',
  },
  API_UPGRADE_REQUIRED: {
    status: 426,
    hint: 'Connect with a WebSocket client (ws://host:port/ws); docs/websocket.md describes the protocol.',
  },
  TRACE_NOT_FOUND: {
    status: 404,
    hint: 'Run `trellis traces list` (or GET /traces) to see the traces of this tenant; traces of other tenants are not visible, and old ones are removed after tracing.local.retentionDays.',
  },
  TRACE_QUERY_INVALID: {
    status: 400,
    hint: 'Fix the filter named above: times are ISO 8601, epoch milliseconds or a duration ago (15m, 2h, 7d); a cursor is the next_cursor of a previous page.',
  },
  FEEDBACK_INVALID: {
    status: 400,
    hint: 'Send a finite number as the score (0 to 1 for user feedback: thumbs up 1, thumbs down 0) and a name of 1 to 100 characters.',
  },
  KNOWLEDGE_GRAPH_DISABLED: {
    status: 400,
    hint: 'Turn the knowledge graph on (rag.graph.enabled, or TRELLIS_RAG__GRAPH__ENABLED=true), then run `trellis kb reindex <kb>` to build the graph of what was ingested before.',
  },
  KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND: {
    status: 404,
    hint: 'Run `trellis graph stats --kb <kb>` to see the graph; entity names are matched ignoring case, accents and punctuation.',
  },
  EVAL_DATASET_NOT_FOUND: {
    status: 404,
    hint: 'Put the dataset in ../shared/datasets/<folder> beside the clone (the folder named above), or set the suite\'s dataset `path` to where it is.',
  },
  EVAL_DATASET_UNKNOWN: {
    status: 404,
    hint: 'Use one of the dataset names listed above, or `jsonl` with a path to your own cases.',
  },
  EVAL_METRIC_UNKNOWN: {
    status: 404,
    hint: 'Use one of the metric names listed above (k-parametric ones as name@k, e.g. ndcg@10).',
  },
  EVAL_METRIC_OPTIONS_INVALID: {
    status: 400,
    hint: 'Fix the metric options named above in the suite file.',
  },
  EVAL_JUDGE_NOT_CONFIGURED: {
    status: 400,
    hint: 'Configure a judge model for the suite, or remove its LLM-as-judge metrics (faithfulness, answer_relevance, context_precision, context_recall).',
  },
  EVAL_SUITE_INVALID: {
    status: 400,
    hint: 'Fix the suite file at the key named above; evals/suites/*.yaml are working examples, and README "Evals" describes the shape.',
  },
  EVAL_RUN_NOT_FOUND: {
    status: 404,
    hint: 'Run `trellis eval list` to see the stored runs and their ids.',
  },
  EVAL_RUNS_INCOMPARABLE: {
    status: 400,
    hint: 'Compare runs of the same dataset (they must share case ids and at least one metric); `trellis eval list` shows each run’s suite.',
  },
  EVAL_TARGET_UNAVAILABLE: {
    status: 503,
    hint: 'Check the suite’s target: the URL and API key of a remote Trellis, or the chat model the runtime is configured with (`trellis doctor`).',
  },
  EVAL_RUN_INTERRUPTED: {
    status: 409,
    hint: 'Continue the run with `trellis eval run <suite> --resume <run id>`: the cases already stored are not run again.',
  },
  EVAL_REPORT_UNWRITABLE: {
    status: 500,
    hint: 'Check that the folder named above exists or can be created and is writable, or pass --out with another file.',
  },
  EVAL_GATE_FAILED: {
    status: 422,
    hint: 'A metric dropped more than --max-drop below the baseline or below its threshold; look at `trellis eval compare` for the cases that regressed.',
  },
  MCP_SERVER_UNAVAILABLE: {
    status: 503,
    hint: 'Run `trellis doctor` to see why the MCP server named above failed; check its command or url in mcpServers. Trellis runs on without its tools.',
  },
  MCP_SESSION_NOT_FOUND: {
    status: 404,
    hint: 'Start a new MCP session: send initialize without an mcp-session-id header. Sessions end when idle, on DELETE and on restart, and belong to the API key that opened them.',
  },
  MCP_ARGUMENTS_TOO_LARGE: {
    status: 413,
    hint: 'Send smaller tool arguments (the limit is in the message); pass large content as a knowledge-base document instead.',
  },
  GRAPH_STORE_UNREACHABLE: {
    status: 503,
    hint: 'Check that Neo4j is running and that NEO4J_URI (rag.graph.neo4j.uri) names it; or set rag.graph.store to embedded.',
  },
  GRAPH_STORE_AUTH_FAILED: {
    status: 503,
    hint: 'Check NEO4J_USER and NEO4J_PASSWORD (rag.graph.neo4j.user, .password) against the Neo4j server.',
  },
  GRAPH_STORE_QUERY_FAILED: {
    status: 502,
    hint: 'Neo4j refused a statement; check that rag.graph.neo4j.database exists and the server is Neo4j 5 or later, then see the message above.',
  },
  INTERNAL: {
    status: 500,
    hint: 'An unexpected failure; the server log has the stack trace. Please report it.',
  },
} as const satisfies Record<string, { status: number; hint: string }>;

export type TrellisErrorCode = keyof typeof ERROR_CODES;

/** Scalar facts about a failure, safe to log and to send in API bodies. */
export type TrellisErrorDetails = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export interface TrellisErrorOptions {
  /** Overrides the catalogue's default hint when a more specific next step is known. */
  hint?: string;
  cause?: unknown;
  details?: TrellisErrorDetails;
}

// A registry-wide symbol rather than instanceof: two copies of Trellis in one process still recognise each other.
const MARKER = Symbol.for('trellis.error');

/**
 * Every failure a user can meet: a stable code, a message stating facts with their values, and a hint that says
 * what to do next. Third-party failures are wrapped at the boundary with `cause`.
 *
 * @example
 * throw new TrellisError('MODEL_UNAVAILABLE', 'model bge-small-en-v1.5 is not on this machine', {
 *   hint: 'Run `trellis models pull bge-small-en-v1.5`.',
 * });
 */
export class TrellisError extends Error {
  readonly [MARKER] = true;
  readonly code: TrellisErrorCode;
  readonly hint: string;
  readonly status: number;
  readonly details: TrellisErrorDetails;

  constructor(code: TrellisErrorCode, message: string, options: TrellisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrellisError';
    this.code = code;
    this.hint = options.hint ?? ERROR_CODES[code].hint;
    this.status = ERROR_CODES[code].status;
    this.details = options.details ?? {};
  }

  /** True for any TrellisError (optionally of one code), even one thrown by another copy of this module. */
  static isInstance(error: unknown, code?: TrellisErrorCode): error is TrellisError {
    if (typeof error !== 'object' || error === null || !(MARKER in error)) return false;
    return code === undefined || (error as TrellisError).code === code;
  }

  toJSON(): { code: TrellisErrorCode; message: string; hint: string; details?: TrellisErrorDetails } {
    const body = { code: this.code, message: this.message, hint: this.hint };
    return Object.keys(this.details).length > 0 ? { ...body, details: this.details } : body;
  }
}

/** Wraps anything thrown by a third party into a TrellisError of the given code, keeping the original as cause. */
export function toTrellisError(error: unknown, code: TrellisErrorCode, message?: string): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new TrellisError(code, message ? `${message}: ${reason}` : reason, { cause: error });
}
