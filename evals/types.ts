/**
 * The contract between the eval harness's parts: a dataset yields cases, a target turns a case into an output, and
 * metrics score the output against the case. Datasets, targets and metrics are registered by name so that a suite
 * file (YAML) can name them.
 */
import type { AnyToolDefinition } from '../tools/define-tool.js';
import type { ToolResult } from '../tools/execute-tool.js';
import type { CorpusDocument } from './datasets/retrieval-dataset.js';

/** A function the model may call, as OpenAI-style function docs (BFCL's function docs convert to this). */
export interface FunctionSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** A call a model made, or one a dataset expects. */
export interface ToolCallRecord {
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}

/**
 * One acceptable call in BFCL's possible-answer format: for every argument, the list of acceptable values (an
 * empty string among them means the argument may be omitted).
 */
export interface ExpectedToolCall {
  readonly name: string;
  readonly acceptable: Readonly<Record<string, readonly unknown[]>>;
}

/** What a case expects; each metric reads the part it needs and reports a case without it as not applicable. */
export interface CaseExpectation {
  /** Gold short answers (any one matches), for exact match, token F1 and contains. */
  readonly answers?: readonly string[];
  /** A label such as yes / no / maybe. */
  readonly label?: string;
  /** Retrieval judgments: document id → gain (> 0 relevant). */
  readonly relevant?: Readonly<Record<string, number>>;
  /** Expected calls, in order for parallel/multiple BFCL categories (order-free matching is the scorer's job). */
  readonly toolCalls?: readonly ExpectedToolCall[];
  /** True when the right behaviour is to call no function at all (BFCL irrelevance). */
  readonly noCall?: boolean;
  /** tau2: the actions the agent must take, and the outputs its final reply must contain. */
  readonly actions?: readonly ToolCallRecord[];
  readonly outputs?: readonly string[];
  /** A regular expression or JSON Schema the answer must satisfy. */
  readonly pattern?: string;
  readonly jsonSchema?: Readonly<Record<string, unknown>>;
}

/** One case of a dataset. */
export interface EvalCase {
  /** Stable across runs of the same dataset: results are compared and resumed by it. */
  readonly id: string;
  /** The question, query or first user message. */
  readonly input: string;
  /** A grouping for per-category results (BFCL category, RGB condition, HotpotQA type, ...). */
  readonly category?: string;
  /** Passages given to the target with the input (PubMedQA's abstract, RGB's passages). */
  readonly context?: readonly string[];
  /** Functions offered to the model (BFCL). */
  readonly functions?: readonly FunctionSpec[];
  readonly expected: CaseExpectation;
  /** Anything else a target or metric of this dataset needs (tau2's user scenario, ...), JSON only. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * A stateful world a tool-using case runs in (tau2's retail shop): its tools act on the environment's own copy of the
 * data, so one case never sees another's changes.
 */
export interface EvalEnvironment {
  /** The rules the agent must follow (tau2's policy), for its instructions. */
  readonly policy?: string;
  /** The tools to offer the agent; they read and change this environment only. */
  readonly tools: readonly AnyToolDefinition[];
  /** Runs one call as the agent would (validated; failures returned, not thrown), e.g. to replay gold actions. */
  call(call: ToolCallRecord): Promise<ToolResult>;
  /** A deep copy of the current state, JSON only (a target returns it as `TargetOutput.finalState`). */
  snapshot(): unknown;
}

/** A dataset: its cases, streamed, and for retrieval datasets the corpus to index first. */
export interface EvalDataset {
  readonly name: string;
  /** Number of cases when known without reading them all (for the progress bar's ETA). */
  readonly size?: number;
  cases(): AsyncIterable<EvalCase>;
  corpus?(): AsyncIterable<CorpusDocument>;
  /** For tool-using datasets (tau2): a fresh environment for one case, in the case's initial state. */
  environment?(evalCase: EvalCase): EvalEnvironment;
}

/** Options every loader accepts from a suite file; `path` defaults to the dataset's folder in ../shared/datasets. */
export interface DatasetOptions {
  readonly path?: string;
  /** Keep the first `limit` cases (after `split` / `category` filtering). */
  readonly limit?: number;
  readonly split?: string;
  readonly category?: string;
}

/** Loads a dataset by name; registered in evals/datasets/registry.ts. */
export type DatasetLoader = (options: DatasetOptions) => Promise<EvalDataset>;

/** A retrieved passage as a target reports it. */
export interface RetrievedPassage {
  readonly id: string;
  readonly text?: string;
  readonly score?: number;
}

/** What a target produced for one case. */
export interface TargetOutput {
  readonly answer?: string;
  /** Ranked, best first; document ids comparable with `expected.relevant`. */
  readonly retrieved?: readonly RetrievedPassage[];
  readonly toolCalls?: readonly ToolCallRecord[];
  /** tau2: the environment's database after the episode (compared with the gold actions replayed). */
  readonly finalState?: unknown;
  readonly latencyMs: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly costUsd?: number;
  /** A failed case is scored 0 by every metric and reported with this. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A judge or other model a metric may call, and what identifies it in a report. */
export interface MetricContext {
  /** Calls the judge model with a prompt and returns its text; absent when the suite configures no judge. */
  readonly judge?: (prompt: string) => Promise<string>;
  readonly judgeModelId?: string;
  /** The dataset's extra resources (tau2's database and tools) when a metric must replay gold actions. */
  readonly dataset: EvalDataset;
}

/** One score of one case. `value` is in [0, 1] for quality metrics; latency, tokens and cost are raw. */
export interface MetricScore {
  readonly metric: string;
  /** null when the metric does not apply to this case (no gold for it). */
  readonly value: number | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A metric: a name, a version (bumped when scoring changes so old runs are not compared blindly), a scorer. */
export interface Metric {
  readonly name: string;
  readonly version: string;
  /** Higher is better (false for latency, cost): gates and comparisons read it. */
  readonly higherIsBetter: boolean;
  score(evalCase: EvalCase, output: TargetOutput, context: MetricContext): Promise<MetricScore[]> | MetricScore[];
}

/** Builds a metric from its suite-file options (e.g. `{k: 10}`); registered in evals/metrics/registry.ts. */
export type MetricFactory = (options: Readonly<Record<string, unknown>>) => Metric;
