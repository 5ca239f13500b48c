import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { TrellisError } from '../../core/errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where a dataset lives unless a suite says otherwise: `../shared/datasets/<folder>` beside the clone. */
export function defaultDatasetDir(folder: string): string {
  return path.resolve(repoRoot, '..', 'shared', 'datasets', folder);
}

/** The suite's `path` (resolved against the working directory), else the dataset's default folder. */
export function datasetDir(optionsPath: string | undefined, folder: string): string {
  return optionsPath === undefined ? defaultDatasetDir(folder) : path.resolve(optionsPath);
}

/**
 * The file of a one-file dataset: the suite's `path` when it names a `.json`/`.jsonl` file, else `fileName` inside
 * the suite's folder or the default one.
 */
export function datasetFile(optionsPath: string | undefined, folder: string, fileName: string): string {
  if (optionsPath !== undefined && /\.jsonl?$/i.test(optionsPath)) return path.resolve(optionsPath);
  return path.join(datasetDir(optionsPath, folder), fileName);
}

/** The failure for a record that does not have the documented shape, naming the file and line or record. */
export function datasetInvalid(file: string, problem: string, record?: number | string): TrellisError {
  const where = record === undefined ? file : `${file} record ${record}`;
  return new TrellisError('EVAL_DATASET_INVALID', `${where}: ${problem}`, {
    details: record === undefined ? { file } : { file, record: String(record) },
  });
}

function notFound(file: string, cause: unknown): TrellisError {
  return new TrellisError('EVAL_DATASET_NOT_FOUND', `dataset file ${file} does not exist`, { cause, details: { file } });
}

function unreadable(file: string, cause: unknown): TrellisError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TrellisError('EVAL_DATASET_INVALID', `cannot read ${file}: ${reason}`, { cause, details: { file } });
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Fails early, at load time, with EVAL_DATASET_NOT_FOUND rather than halfway through a run. */
export async function requireFile(file: string): Promise<void> {
  try {
    await access(file);
  } catch (error) {
    throw isMissing(error) ? notFound(file, error) : unreadable(file, error);
  }
}

export async function readDatasetText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw isMissing(error) ? notFound(file, error) : unreadable(file, error);
  }
}

/** A whole JSON file (the small JSON-array datasets: HotpotQA, PubMedQA, tau2). */
export async function readDatasetJson(file: string): Promise<unknown> {
  const text = await readDatasetText(file);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw datasetInvalid(file, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** One parsed line of a JSON Lines file with its 1-based line number. */
export interface JsonLine {
  readonly line: number;
  readonly value: unknown;
}

/** Streams a JSON Lines file one record at a time (blank lines skipped), so no loader holds a large file whole. */
export async function* readJsonLines(file: string): AsyncGenerator<JsonLine> {
  let lineNumber = 0;
  for await (const text of lines(file)) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      throw datasetInvalid(file, 'not valid JSON', lineNumber);
    }
    yield { line: lineNumber, value };
  }
}

/** Non-blank lines of a JSON Lines file, read without parsing them (for `size`). */
export async function countJsonLines(file: string): Promise<number> {
  let count = 0;
  for await (const text of lines(file)) if (text.trim() !== '') count += 1;
  return count;
}

async function* lines(file: string): AsyncGenerator<string> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    yield* reader;
  } catch (error) {
    throw isMissing(error) ? notFound(file, error) : unreadable(file, error);
  } finally {
    reader.close();
    stream.destroy();
  }
}

/** Validates one record against its zod schema; the first issue, with its field path, becomes the message. */
export function parseRecord<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  file: string,
  record: number | string,
): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length === 0 ? '(record)' : issue.path.map(String).join('.');
  throw datasetInvalid(file, `${field}: ${issue.message}`, record);
}
