import path from 'node:path';
import { readDatasetText } from './dataset-files.js';
import type { RetrievalDataset } from './retrieval-dataset.js';
import { parseSmart } from './smart.js';

/** Options for the classic-collection loaders. */
export interface LoadClassicOptions {
  /** Folder holding the collection's original files (e.g. `../shared/datasets/cranfield`). */
  readonly dir: string;
}

/**
 * Cranfield (1400 aeronautics abstracts, 225 queries). Quirks handled here: queries are numbered in the qrels by
 * their position in `cran.qry`, not by their `.I`; the judgment codes follow Cleverdon's scale where 1 is a
 * complete answer and 4 minimum interest, so the gain is `5 − code` (4 … 1) and the unexplained code −1 is not
 * relevant. (ir_datasets uses the code itself as the gain; our choice follows the collection's own definition.)
 * Document text is title plus abstract; the abstract usually repeats the title, as it does in the original file.
 */
export async function loadCranfield(options: LoadClassicOptions): Promise<RetrievalDataset> {
  const documents = parseSmart(await read(options.dir, 'cran.all.1400'), 'cran.all.1400');
  const queries = parseSmart(await read(options.dir, 'cran.qry'), 'cran.qry');
  const qrels = new Map<string, Map<string, number>>();
  for (const line of (await read(options.dir, 'cranqrel')).split('\n')) {
    const [queryPosition, documentId, code] = line.trim().split(/\s+/);
    const value = Number(code);
    if (!queryPosition || !documentId || !(value >= 1 && value <= 4)) continue;
    if (!qrels.has(queryPosition)) qrels.set(queryPosition, new Map());
    qrels.get(queryPosition)!.set(documentId, 5 - value);
  }
  return {
    name: 'cranfield',
    corpus: documents.map((record) => ({ id: record.id, title: record.fields.T ?? '', text: record.fields.W ?? '' })),
    queries: queries
      .map((record, index) => ({ id: String(index + 1), text: record.fields.W ?? '' }))
      .filter((query) => qrels.has(query.id)),
    qrels,
  };
}

/**
 * CISI (1460 library-science documents, 112 queries of which 76 are judged; binary relevance). Document text is
 * title plus abstract; `.X` citation lines are not text. Queries are the `.W` text (the `.T`/`.A`/`.B` some have
 * are bibliographic) and only judged queries are kept.
 */
export async function loadCisi(options: LoadClassicOptions): Promise<RetrievalDataset> {
  const documents = parseSmart(await read(options.dir, 'CISI.ALL'), 'CISI.ALL');
  const queries = parseSmart(await read(options.dir, 'CISI.QRY'), 'CISI.QRY');
  const qrels = new Map<string, Map<string, number>>();
  for (const line of (await read(options.dir, 'CISI.REL')).split('\n')) {
    const [queryId, documentId] = line.trim().split(/\s+/);
    if (!queryId || !documentId) continue;
    if (!qrels.has(queryId)) qrels.set(queryId, new Map());
    qrels.get(queryId)!.set(documentId, 1);
  }
  return {
    name: 'cisi',
    corpus: documents.map((record) => ({ id: record.id, title: record.fields.T ?? '', text: record.fields.W ?? '' })),
    queries: queries.map((record) => ({ id: record.id, text: record.fields.W ?? '' })).filter((query) => qrels.has(query.id)),
    qrels,
  };
}

function read(dir: string, file: string): Promise<string> {
  return readDatasetText(path.join(dir, file));
}
