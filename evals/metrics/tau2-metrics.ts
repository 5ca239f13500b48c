import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import type { EvalCase, EvalEnvironment, MetricContext, MetricFactory, MetricScore, TargetOutput, ToolCallRecord } from '../types.js';
import { parseMetricOptions } from './metric-options.js';

const NoOptions = z.object({}).strict();

/**
 * tau2's database check: replays the case's gold actions on a fresh environment and compares the resulting
 * database with the one the agent left (`output.finalState`). Gold actions the environment refuses are skipped,
 * as tau2's replay does; their count is in the details.
 */
async function databaseMatches(evalCase: EvalCase, output: TargetOutput, context: MetricContext): Promise<{ value: number; details: Record<string, unknown> }> {
  const createEnvironment = context.dataset.environment;
  if (!createEnvironment) {
    throw new TrellisError('EVAL_METRIC_OPTIONS_INVALID', `tau2_db needs a dataset with an environment (tau2-retail); ${context.dataset.name} has none`);
  }
  if (output.finalState === undefined) return { value: 0, details: { reason: 'the target returned no final state' } };
  let replay = goldReplays.get(evalCase);
  if (!replay) {
    replay = replayGold(evalCase, createEnvironment.call(context.dataset, evalCase));
    goldReplays.set(evalCase, replay);
  }
  const { state, refused } = await replay;
  if (isDeepStrictEqual(output.finalState, state)) return { value: 1, details: { goldActionsRefused: refused } };
  return { value: 0, details: { goldActionsRefused: refused, firstDifference: firstDifference(output.finalState, state, '$') ?? '$' } };
}

// A replay costs a copy of the database; `tau2_db` and `tau2_reward` on the same case (and repeats of it) share one.
const goldReplays = new WeakMap<EvalCase, Promise<{ state: unknown; refused: number }>>();

async function replayGold(evalCase: EvalCase, environment: EvalEnvironment): Promise<{ state: unknown; refused: number }> {
  let refused = 0;
  for (const action of evalCase.expected.actions ?? []) {
    if (!(await environment.call(action)).ok) refused += 1;
  }
  return { state: environment.snapshot(), refused };
}

/** Where two JSON values first differ, as a path (`$.orders.#W2378156.status`), for a report reader. */
function firstDifference(actual: unknown, expected: unknown, path: string): string | undefined {
  if (isDeepStrictEqual(actual, expected)) return undefined;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) return path;
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  for (const key of keys) {
    const inner = firstDifference((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
    if (inner) return inner;
  }
  return path;
}

/** The gold actions the agent never made with exactly these arguments (tau2 compares every argument). */
function missingActions(evalCase: EvalCase, output: TargetOutput): ToolCallRecord[] {
  const made = output.toolCalls ?? [];
  return (evalCase.expected.actions ?? []).filter(
    (action) => !made.some((call) => call.name === action.name && isDeepStrictEqual(normalize(call.arguments), normalize(action.arguments))),
  );
}

// Arguments that went through JSON elsewhere (a cache, the HTTP API) lose `undefined` members; compare as JSON.
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {})) as unknown;
}

/** The expected outputs the reply does not contain (tau2: case-insensitive, commas in the reply ignored). */
function missingOutputs(evalCase: EvalCase, output: TargetOutput): string[] {
  const reply = (output.answer ?? '').toLowerCase().replace(/,/g, '');
  return (evalCase.expected.outputs ?? []).filter((expected) => !reply.includes(expected.toLowerCase()));
}

/** `tau2_db`: 1 when the agent's final database equals the database after replaying the gold actions. */
export const tau2DatabaseMetric: MetricFactory = (options) => {
  parseMetricOptions('tau2_db', NoOptions, options);
  return {
    name: 'tau2_db',
    version: '1',
    higherIsBetter: true,
    async score(evalCase, output, context): Promise<MetricScore[]> {
      if (evalCase.expected.actions === undefined) return [{ metric: 'tau2_db', value: null }];
      const { value, details } = await databaseMatches(evalCase, output, context);
      return [{ metric: 'tau2_db', value, details }];
    },
  };
};

/** `tau2_actions`: 1 when every gold action appears among the agent's tool calls with the same arguments. */
export const tau2ActionsMetric: MetricFactory = (options) => {
  parseMetricOptions('tau2_actions', NoOptions, options);
  return {
    name: 'tau2_actions',
    version: '1',
    higherIsBetter: true,
    score(evalCase, output): MetricScore[] {
      const gold = evalCase.expected.actions;
      if (gold === undefined || gold.length === 0) return [{ metric: 'tau2_actions', value: null }];
      const missing = missingActions(evalCase, output);
      return [{ metric: 'tau2_actions', value: missing.length === 0 ? 1 : 0, details: { missing: missing.map((action) => action.name), total: gold.length } }];
    },
  };
};

/** `tau2_outputs`: 1 when the reply contains every expected output (tau2's `communicate_info`). */
export const tau2OutputsMetric: MetricFactory = (options) => {
  parseMetricOptions('tau2_outputs', NoOptions, options);
  return {
    name: 'tau2_outputs',
    version: '1',
    higherIsBetter: true,
    score(evalCase, output): MetricScore[] {
      const expected = evalCase.expected.outputs;
      if (expected === undefined || expected.length === 0) return [{ metric: 'tau2_outputs', value: null }];
      const missing = missingOutputs(evalCase, output);
      return [{ metric: 'tau2_outputs', value: missing.length === 0 ? 1 : 0, details: { missing } }];
    },
  };
};

/**
 * `tau2_reward`: tau2's task reward, the product of the checks named by the task's reward basis
 * (`metadata.rewardBasis`, default DB): DB → `tau2_db`, ACTION → `tau2_actions`, COMMUNICATE → `tau2_outputs`.
 * NL_ASSERTION needs an LLM judge of free-text assertions and is left out; the details say when it was.
 */
export const tau2RewardMetric: MetricFactory = (options) => {
  parseMetricOptions('tau2_reward', NoOptions, options);
  return {
    name: 'tau2_reward',
    version: '1',
    higherIsBetter: true,
    async score(evalCase, output, context): Promise<MetricScore[]> {
      if (evalCase.expected.actions === undefined) return [{ metric: 'tau2_reward', value: null }];
      const basis = z.array(z.string()).catch(['DB']).parse(evalCase.metadata?.rewardBasis ?? ['DB']);
      const parts: Record<string, number> = {};
      if (basis.includes('DB')) parts.db = (await databaseMatches(evalCase, output, context)).value;
      if (basis.includes('ACTION')) parts.actions = missingActions(evalCase, output).length === 0 ? 1 : 0;
      if (basis.includes('COMMUNICATE')) parts.outputs = missingOutputs(evalCase, output).length === 0 ? 1 : 0;
      const value = Object.values(parts).reduce((product, part) => product * part, 1);
      return [{ metric: 'tau2_reward', value, details: { ...parts, skipped: basis.filter((name) => name === 'NL_ASSERTION') } }];
    },
  };
};
