import path from 'node:path';
import { TrellisError } from '../../core/errors.js';
import { readDatasetText as readText } from './dataset-files.js';
import type { CorpusDocument, DatasetQuery, RetrievalDataset } from './retrieval-dataset.js';

/** Options for {@link loadBeirDataset}. */
export interface LoadBeirOptions {
  /** Folder holding `corpus.jsonl`, `queries.jsonl` and `qrels/<split>.tsv`. */
  readonly dir: string;
  /** Defaults to `test`. */
  readonly split?: string;
}

/**
 * Loads a dataset in the BEIR layout (Thakur et al., 2021): `corpus.jsonl` lines `{_id, title, text}`,
 * `queries.jsonl` lines `{_id, text}`, `qrels/<split>.tsv` with a header and rows `query-id corpus-id score`.
 * Only queries judged in the split are kept. Throws `EVAL_DATASET_INVALID` naming the file and line at fault, `EVAL_DATASET_NOT_FOUND` for a missing file.
 */
export async function loadBeirDataset(options: LoadBeirOptions): Promise<RetrievalDataset> {
  const split = options.split ?? 'test';
  const corpusFile = path.join(options.dir, 'corpus.jsonl');
  const queriesFile = path.join(options.dir, 'queries.jsonl');
  const qrelsFile = path.join(options.dir, 'qrels', `${split}.tsv`);

  const qrels = new Map<string, Map<string, number>>();
  const qrelLines = (await readText(qrelsFile)).split('\n');
  qrelLines.forEach((line, index) => {
    if (index === 0 || line.trim() === '') return; // header: query-id corpus-id score
    const [queryId, documentId, score] = line.trim().split('\t');
    const gain = Number(score);
    if (!queryId || !documentId || !Number.isFinite(gain)) invalid(qrelsFile, index + 1, 'expected query-id<TAB>corpus-id<TAB>score');
    if (!qrels.has(queryId)) qrels.set(queryId, new Map());
    qrels.get(queryId)!.set(documentId, gain);
  });

  const corpus = parseJsonl(corpusFile, await readText(corpusFile)).map((record, index): CorpusDocument => ({
    id: requireString(record, '_id', corpusFile, index),
    title: typeof record.title === 'string' ? record.title : '',
    text: requireString(record, 'text', corpusFile, index),
  }));
  const queries = parseJsonl(queriesFile, await readText(queriesFile))
    .map((record, index): DatasetQuery => ({
      id: requireString(record, '_id', queriesFile, index),
      text: requireString(record, 'text', queriesFile, index),
    }))
    .filter((query) => qrels.has(query.id));
  return { name: path.basename(path.resolve(options.dir)), corpus, queries, qrels };
}

function parseJsonl(file: string, text: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      invalid(file, index + 1, 'not valid JSON');
    }
  });
  return records;
}

function requireString(record: Record<string, unknown>, key: string, file: string, index: number): string {
  const value = record[key];
  if (typeof value === 'string') return value;
  // BEIR ids are strings, but some exports write numeric ids.
  if (typeof value === 'number') return String(value);
  return invalid(file, index + 1, `field ${key} is missing or not a string`);
}

function invalid(file: string, line: number, problem: string): never {
  throw new TrellisError('EVAL_DATASET_INVALID', `${file} record ${line}: ${problem}`, { details: { file, line } });
}
