import { z } from 'zod';
import { GRAPH_SEARCH_MODES } from '../../rag/retrieve/graph-search.js';

/** Options a suite passes to its dataset loader; known ones are checked here, the rest reach the loader as given. */
const DatasetOptionsSchema = z
  .looseObject({
    path: z.string().min(1).optional(),
    limit: z.number().int().min(1).optional(),
    split: z.string().min(1).optional(),
    category: z.string().min(1).optional(),
  })
  .default({});

/** Names of an environment variable holding a secret: suites name the variable, never the secret itself. */
const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as TRELLIS_API_KEY');

/** A knowledge base searched in-process: the dataset's corpus ingested into a temporary one, or an existing one. */
const RetrieverTargetSchema = z.strictObject({
  kind: z.literal('retriever'),
  mode: z.enum(['keyword', 'dense', 'hybrid', ...GRAPH_SEARCH_MODES]).default('hybrid'),
  /** Passages per query; rankings are cut here, so it bounds recall@k. */
  topK: z.number().int().min(1).max(1000).default(100),
  /** Search this existing knowledge base instead of ingesting the dataset's corpus into a temporary one. */
  kb: z.string().min(1).optional(),
  tenant: z.string().min(1).default('default'),
});

/** One of the runtime's graphs (`rag`, `research`, `pipeline`), run in-process. */
const GraphTargetSchema = z.strictObject({
  kind: z.literal('graph'),
  name: z.string().min(1),
  kb: z.string().min(1).optional(),
  tenant: z.string().min(1).default('default'),
});

/** A Trellis agent from the registry, run in-process. */
const NamedAgentTargetSchema = z.strictObject({
  kind: z.literal('agent'),
  name: z.string().min(1),
  kb: z.string().min(1).optional(),
  tenant: z.string().min(1).default('default'),
});

/** Where a bare model is: the runtime's configured chat model, or any OpenAI-compatible endpoint named here. */
const ModelEndpointShape = {
  /** Model id at `baseUrl`. Without `baseUrl` the runtime's configured chat model answers, and `model` is refused. */
  model: z.string().min(1).optional(),
  baseUrl: z.url().optional(),
  apiKeyEnv: EnvName.optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).optional(),
};

/**
 * A chat model (the runtime's, or the endpoint named) as a tool-using agent inside the dataset's environment (tau2's
 * tools and database): it calls the environment's tools until it answers in text or has made `maxTurns` calls.
 */
const EnvironmentAgentTargetSchema = z.strictObject({
  kind: z.literal('agent'),
  /** `dataset`: the dataset's own environment (tau2's tools over a fresh copy of its database, per case). */
  environment: z.literal('dataset'),
  maxTurns: z.number().int().min(1).max(100).default(30),
  system: z.string().optional(),
  ...ModelEndpointShape,
});

/** A bare chat model: the case's context and question in, an answer (or function calls, for BFCL) out. */
const ModelTargetSchema = z.strictObject({
  kind: z.literal('model'),
  /** Instructions sent as the system message. */
  system: z.string().optional(),
  ...ModelEndpointShape,
});

/** A running Trellis over its OpenAI-compatible API: `model` is an agent or graph name from `GET /v1/models`. */
const HttpTargetSchema = z.strictObject({
  kind: z.literal('http'),
  url: z.url(),
  model: z.string().min(1),
  apiKeyEnv: EnvName.default('TRELLIS_API_KEY'),
  kb: z.string().min(1).optional(),
  timeoutMs: z.number().int().min(1).default(120_000),
});

export const TargetSchema = z.union([
  RetrieverTargetSchema,
  GraphTargetSchema,
  NamedAgentTargetSchema,
  EnvironmentAgentTargetSchema,
  ModelTargetSchema,
  HttpTargetSchema,
]);

const MetricEntrySchema = z.union([
  z.string().min(1).transform((name) => ({ name, options: {} as Record<string, unknown> })),
  z.strictObject({ name: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }),
]);

/** The judge model LLM-as-judge metrics call: the runtime's chat model unless an endpoint is named. */
const JudgeSchema = z.strictObject({ ...ModelEndpointShape });

const RunSchema = z
  .strictObject({
    /** Cases in flight at once. */
    concurrency: z.number().int().min(1).max(256).default(4),
    /** Every case runs this many times, each with its own seed; results report mean ± 95% confidence intervals. */
    repeats: z.number().int().min(1).max(100).default(1),
    seed: z.number().int().min(0).default(0),
    judge: JudgeSchema.optional(),
  })
  .prefault({});

/**
 * A suite file (`evals/suites/*.yaml`): a dataset, a target, the metrics to score it with, the minimum each metric
 * must reach, and how to run it.
 *
 * @example
 * name: retrieval-cranfield
 * dataset: { name: cranfield }
 * target: { kind: retriever, mode: hybrid, topK: 100 }
 * metrics: [ndcg@10, recall@100, mrr@10, map]
 * thresholds: { ndcg@10: 0.30 }
 * run: { concurrency: 4 }
 */
export const SuiteSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'must be lower-case letters, digits, dots, dashes or underscores'),
  description: z.string().optional(),
  dataset: z.strictObject({ name: z.string().min(1), options: DatasetOptionsSchema }),
  target: TargetSchema,
  metrics: z.array(MetricEntrySchema).min(1),
  /** Metric name → the least (for latency and cost: the most) value the candidate's mean may have. */
  thresholds: z.record(z.string(), z.number()).default({}),
  run: RunSchema,
});

export type Suite = z.output<typeof SuiteSchema>;
export type SuiteTarget = Suite['target'];
export type JudgeSettings = z.output<typeof JudgeSchema>;
