import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A retrieval collection in memory, in the order it will be written. */
export interface BeirCollection {
  readonly corpus: readonly { readonly _id: string; readonly title: string; readonly text: string }[];
  readonly queries: readonly { readonly _id: string; readonly text: string; readonly metadata?: Readonly<Record<string, string>> }[];
  /** `split` judgments: query id → corpus id → gain. */
  readonly qrels: readonly { readonly queryId: string; readonly corpusId: string; readonly score: number }[];
}

/** What {@link writeBeirCollection} wrote, for the caller to print. */
export interface BeirWriteSummary {
  readonly dir: string;
  readonly corpus: number;
  readonly queries: number;
  readonly qrels: number;
}

/**
 * Writes the BEIR layout (Thakur et al., 2021) that `loadBeirDataset` and `bench:retrieval --beir` read:
 * `corpus.jsonl`, `queries.jsonl` and `qrels/<split>.tsv` with its `query-id corpus-id score` header. The output
 * is a pure function of the collection (no timestamps, fixed key order), so two runs give identical bytes.
 */
export async function writeBeirCollection(dir: string, collection: BeirCollection, split = 'test'): Promise<BeirWriteSummary> {
  await mkdir(path.join(dir, 'qrels'), { recursive: true });
  const jsonl = (records: readonly object[]) => records.map((record) => JSON.stringify(record)).join('\n') + '\n';
  await writeFile(path.join(dir, 'corpus.jsonl'), jsonl(collection.corpus));
  await writeFile(path.join(dir, 'queries.jsonl'), jsonl(collection.queries));
  const rows = collection.qrels.map((row) => `${row.queryId}\t${row.corpusId}\t${row.score}`);
  await writeFile(path.join(dir, 'qrels', `${split}.tsv`), ['query-id\tcorpus-id\tscore', ...rows].join('\n') + '\n');
  return { dir, corpus: collection.corpus.length, queries: collection.queries.length, qrels: collection.qrels.length };
}
