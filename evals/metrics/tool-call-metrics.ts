import { z } from 'zod';
import type { BfclFunction, BfclLanguage, BfclParameter } from '../datasets/bfcl-function-docs.js';
import type { EvalCase, FunctionSpec, MetricFactory, MetricScore, TargetOutput } from '../types.js';
import { checkCalls } from './bfcl/ast-checker.js';
import { parseMetricOptions } from './metric-options.js';

const NoOptions = z.object({}).strict();

/**
 * `bfcl_ast`: BFCL's AST match of `output.toolCalls` against `expected.toolCalls` (1 or 0): the right functions, the
 * right number of calls (parallel ones in any order), every required argument, no unknown one, and every value among
 * the acceptable ones under BFCL's type rules. A case expecting no call (`expected.noCall`) scores 1 when none was
 * made. Null for a case that expects neither. Type rules come from the BFCL docs in `metadata.bfclFunctions` (the
 * bfcl loader keeps them), else from the JSON Schema of `functions`.
 */
export const bfclAstMetric: MetricFactory = (options) => {
  parseMetricOptions('bfcl_ast', NoOptions, options);
  return {
    name: 'bfcl_ast',
    version: '1',
    higherIsBetter: true,
    score(evalCase: EvalCase, output: TargetOutput): MetricScore[] {
      const calls = output.toolCalls ?? [];
      if (evalCase.expected.noCall) return [{ metric: 'bfcl_ast', value: calls.length === 0 ? 1 : 0, details: { calls: calls.length } }];
      const expected = evalCase.expected.toolCalls;
      if (!expected) return [{ metric: 'bfcl_ast', value: null }];
      const { functions, language } = bfclDocs(evalCase);
      const check = checkCalls(calls, expected, functions, language);
      return [{ metric: 'bfcl_ast', value: check.valid ? 1 : 0, details: check.valid ? {} : { errorType: check.errorType, error: check.error } }];
    },
  };
};

/** `irrelevance`: for cases where no offered function fits (`expected.noCall`), 1 when the model called none. */
export const irrelevanceMetric: MetricFactory = (options) => {
  parseMetricOptions('irrelevance', NoOptions, options);
  return {
    name: 'irrelevance',
    version: '1',
    higherIsBetter: true,
    score(evalCase: EvalCase, output: TargetOutput): MetricScore[] {
      if (!evalCase.expected.noCall) return [{ metric: 'irrelevance', value: null }];
      const calls = (output.toolCalls ?? []).map((call) => call.name);
      return [{ metric: 'irrelevance', value: calls.length === 0 ? 1 : 0, details: { calls } }];
    },
  };
};

const BfclMetadata = z.object({
  language: z.enum(['python', 'java', 'javascript']),
  bfclFunctions: z.array(z.object({ name: z.string(), description: z.string(), parameters: z.object({ type: z.string(), properties: z.record(z.string(), z.looseObject({ type: z.string() })), required: z.array(z.string()).optional() }) })),
});

function bfclDocs(evalCase: EvalCase): { functions: readonly BfclFunction[]; language: BfclLanguage } {
  const parsed = BfclMetadata.safeParse(evalCase.metadata ?? {});
  if (parsed.success) return { functions: parsed.data.bfclFunctions as BfclFunction[], language: parsed.data.language };
  return { functions: (evalCase.functions ?? []).map(fromJsonSchema), language: 'python' };
}

// JSON Schema → BFCL's Python type names, for cases from other datasets (a jsonl file with functions).
const BFCL_TYPE: Readonly<Record<string, string>> = {
  string: 'string', integer: 'integer', number: 'float', boolean: 'boolean', array: 'array', object: 'dict',
};

function fromJsonSchema(spec: FunctionSpec): BfclFunction {
  const parameters = spec.parameters as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const properties = Object.fromEntries(Object.entries(parameters.properties ?? {}).map(([name, schema]) => [name, toParameter(schema)]));
  return { name: spec.name, description: spec.description, parameters: { type: 'dict', properties, required: parameters.required ?? [] } };
}

function toParameter(schema: Record<string, unknown>): BfclParameter {
  const type = BFCL_TYPE[String(schema.type)] ?? 'any';
  const items = schema.items as Record<string, unknown> | undefined;
  return items && typeof items === 'object' ? { type, items: toParameter(items) } : { type };
}
