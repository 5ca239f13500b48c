import type { z } from 'zod';
import { TrellisError } from '../../core/errors.js';

/** Validates a metric's suite-file options; unknown or ill-typed options fail with EVAL_METRIC_OPTIONS_INVALID. */
export function parseMetricOptions<Schema extends z.ZodType>(
  metric: string,
  schema: Schema,
  options: Readonly<Record<string, unknown>>,
): z.output<Schema> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const field = issue.path.length === 0 ? '(options)' : issue.path.map(String).join('.');
    return `${field}: ${issue.message}`;
  });
  throw new TrellisError('EVAL_METRIC_OPTIONS_INVALID', `metric ${metric}: ${problems.join('; ')}`, {
    details: { metric, problems },
  });
}
