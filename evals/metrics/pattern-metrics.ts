import { Ajv, type ValidateFunction } from 'ajv';
import { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import type { EvalCase, MetricFactory, MetricScore, TargetOutput } from '../types.js';
import { extractJson } from './extract-json.js';
import { parseMetricOptions } from './metric-options.js';

const RegexOptions = z.object({ pattern: z.string().optional(), flags: z.string().regex(/^[imsu]*$/).default('i') }).strict();

/**
 * `regex`: 1 when the answer matches the pattern (the suite's `pattern` option, else the case's `expected.pattern`),
 * case-insensitive unless `flags` says otherwise. Null for a case with neither.
 */
export const regexMetric: MetricFactory = (options) => {
  const { pattern, flags } = parseMetricOptions('regex', RegexOptions, options);
  const fixed = pattern === undefined ? undefined : compile(pattern, flags, 'the suite');
  const perCase = new Map<string, RegExp>();
  return {
    name: 'regex',
    version: '1',
    higherIsBetter: true,
    score(evalCase: EvalCase, output: TargetOutput): MetricScore[] {
      const source = evalCase.expected.pattern;
      if (!fixed && source === undefined) return [{ metric: 'regex', value: null }];
      const expression = fixed ?? perCase.get(source!) ?? compile(source!, flags, `case ${evalCase.id}`);
      if (!fixed) perCase.set(source!, expression);
      return [{ metric: 'regex', value: expression.test(output.answer ?? '') ? 1 : 0, details: { pattern: expression.source } }];
    },
  };
};

function compile(pattern: string, flags: string, where: string): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new TrellisError('EVAL_METRIC_OPTIONS_INVALID', `regex from ${where} does not compile: ${(error as Error).message}`, {
      details: { pattern },
    });
  }
}

const SchemaOptions = z.object({ schema: z.record(z.string(), z.unknown()).optional() }).strict();

/**
 * `json_schema`: 1 when the answer is JSON valid against the schema (the suite's `schema` option, else the case's
 * `expected.jsonSchema`; JSON Schema draft-07 via Ajv). The JSON may be wrapped in a Markdown code fence
 * or surrounded by prose, as chat models tend to write it. Details list the first validation errors.
 */
export const jsonSchemaMetric: MetricFactory = (options) => {
  const { schema } = parseMetricOptions('json_schema', SchemaOptions, options);
  const ajv = new Ajv({ allErrors: true, strict: false });
  const fixed = schema === undefined ? undefined : compileSchema(ajv, schema, 'the suite');
  const perCase = new WeakMap<object, ValidateFunction>();
  return {
    name: 'json_schema',
    version: '1',
    higherIsBetter: true,
    score(evalCase: EvalCase, output: TargetOutput): MetricScore[] {
      const caseSchema = evalCase.expected.jsonSchema;
      if (!fixed && caseSchema === undefined) return [{ metric: 'json_schema', value: null }];
      let validate = fixed ?? perCase.get(caseSchema!);
      if (!validate) {
        validate = compileSchema(ajv, caseSchema!, `case ${evalCase.id}`);
        perCase.set(caseSchema!, validate);
      }
      const parsed = extractJson(output.answer ?? '');
      if (!parsed.ok) return [{ metric: 'json_schema', value: 0, details: { errors: ['the answer holds no JSON value'] } }];
      const valid = validate(parsed.value);
      const errors = (validate.errors ?? []).slice(0, 5).map((error) => `${error.instancePath || '(root)'} ${error.message ?? ''}`.trim());
      return [{ metric: 'json_schema', value: valid ? 1 : 0, details: valid ? {} : { errors } }];
    },
  };
};

function compileSchema(ajv: Ajv, schema: Readonly<Record<string, unknown>>, where: string): ValidateFunction {
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new TrellisError('EVAL_METRIC_OPTIONS_INVALID', `JSON Schema from ${where} is invalid: ${(error as Error).message}`);
  }
}
