import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import { SuiteSchema, type Suite } from './suite-schema.js';

/** Suite files larger than this are refused before parsing (a suite is a few dozen lines). */
const MAX_SUITE_BYTES = 256 * 1024;

/**
 * Reads and validates a suite file. A relative dataset `path` is resolved against the suite file's folder, so a
 * suite and its fixture can move together. Throws EVAL_SUITE_INVALID naming the file and the key at fault.
 */
export async function loadSuiteFile(file: string): Promise<Suite> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TrellisError('EVAL_SUITE_INVALID', `cannot read suite file ${file}: ${(error as Error).message}`, { cause: error, details: { file } });
  }
  if (Buffer.byteLength(text) > MAX_SUITE_BYTES) {
    throw new TrellisError('EVAL_SUITE_INVALID', `suite file ${file} is larger than ${MAX_SUITE_BYTES} bytes`, { details: { file } });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new TrellisError('EVAL_SUITE_INVALID', `suite file ${file} is not valid YAML: ${(error as Error).message}`, { cause: error, details: { file } });
  }
  const suite = parseSuite(raw, file);
  const datasetPath = suite.dataset.options.path;
  if (datasetPath === undefined) return suite;
  const resolved = path.resolve(path.dirname(path.resolve(file)), datasetPath);
  return { ...suite, dataset: { ...suite.dataset, options: { ...suite.dataset.options, path: resolved } } };
}

/** Validates a suite given as data (a parsed file, or one built in code); `source` names it in errors. */
export function parseSuite(raw: unknown, source: string): Suite {
  const parsed = SuiteSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TrellisError('EVAL_SUITE_INVALID', `suite ${source} is invalid:\n${describeIssues(parsed.error)}`, { details: { file: source } });
  }
  return parsed.data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `  ${issue.path.length === 0 ? '(file)' : issue.path.map(String).join('.')}: ${issue.message}`)
    .join('\n');
}
