/**
 * Every text passage in ../shared/datasets as one corpus, for throughput and latency benchmarks (not for quality:
 * only Cranfield and CISI carry judgments). Ids are prefixed by collection so they never collide.
 *
 *   cranfield  1400 abstracts          cisi     1460 abstracts
 *   hotpotqa    994 Wikipedia paragraphs       pubmedqa  500 abstracts (question as title)
 *   rgb-en-fact   its distinct passages (positive, counterfactual and noise)
 *
 * Queries for latency runs come from the same folders: Cranfield, CISI, HotpotQA and PubMedQA questions, and NQ-open.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCisi, loadCranfield } from '../../evals/datasets/classic.js';
import type { CorpusDocument } from '../../evals/datasets/retrieval-dataset.js';

export async function loadSharedCorpus(datasetsDir: string): Promise<CorpusDocument[]> {
  const documents: CorpusDocument[] = [];
  const cranfield = await loadCranfield({ dir: path.join(datasetsDir, 'cranfield') });
  for (const document of cranfield.corpus) documents.push({ ...document, id: `cran-${document.id}` });
  const cisi = await loadCisi({ dir: path.join(datasetsDir, 'cisi') });
  for (const document of cisi.corpus) documents.push({ ...document, id: `cisi-${document.id}` });

  const hotpot = JSON.parse(await readFile(path.join(datasetsDir, 'hotpotqa-train-sample100', 'hotpotqa_train_corpus.json'), 'utf8')) as Record<string, string[]>;
  Object.entries(hotpot).forEach(([title, sentences], index) => {
    documents.push({ id: `hotpot-${index}`, title, text: sentences.join('').trim() });
  });

  const pubmed = JSON.parse(await readFile(path.join(datasetsDir, 'pubmedqa-pqal-nontest500', 'pqal_nontest500.json'), 'utf8')) as Record<string, { QUESTION: string; CONTEXTS: string[] }>;
  for (const [pmid, item] of Object.entries(pubmed)) {
    documents.push({ id: `pubmed-${pmid}`, title: item.QUESTION, text: item.CONTEXTS.join('\n\n') });
  }

  const seen = new Set<string>();
  const rgb = (await readFile(path.join(datasetsDir, 'rgb-en-fact', 'en_fact.json'), 'utf8')).split('\n').filter((line) => line.trim() !== '');
  for (const line of rgb) {
    const item = JSON.parse(line) as { positive?: unknown; positive_wrong?: unknown; negative?: unknown };
    for (const passage of [item.positive, item.positive_wrong, item.negative].flatMap(flattenStrings)) {
      if (passage.trim() === '' || seen.has(passage)) continue;
      seen.add(passage);
      documents.push({ id: `rgb-${seen.size}`, title: '', text: passage });
    }
  }
  return documents.filter((document) => `${document.title}${document.text}`.trim() !== '');
}

export async function loadSharedQueries(datasetsDir: string): Promise<string[]> {
  const queries: string[] = [];
  queries.push(...(await loadCranfield({ dir: path.join(datasetsDir, 'cranfield') })).queries.map((query) => query.text));
  queries.push(...(await loadCisi({ dir: path.join(datasetsDir, 'cisi') })).queries.map((query) => query.text));
  const hotpot = JSON.parse(await readFile(path.join(datasetsDir, 'hotpotqa-train-sample100', 'hotpotqa_train.json'), 'utf8')) as { question: string }[];
  queries.push(...hotpot.map((item) => item.question));
  const pubmed = JSON.parse(await readFile(path.join(datasetsDir, 'pubmedqa-pqal-nontest500', 'pqal_nontest500.json'), 'utf8')) as Record<string, { QUESTION: string }>;
  queries.push(...Object.values(pubmed).map((item) => item.QUESTION));
  const nq = (await readFile(path.join(datasetsDir, 'nq-open-dev', 'NQ-open.dev.jsonl'), 'utf8')).split('\n').filter((line) => line.trim() !== '');
  queries.push(...nq.map((line) => (JSON.parse(line) as { question: string }).question));
  return queries.map((query) => query.replace(/\s+/g, ' ').trim()).filter((query) => query !== '');
}

/** `title\n\ntext`, the whole document as one plain-text file would hold it. */
export function asPlainText(document: CorpusDocument): string {
  return document.title ? `${document.title}\n\n${document.text}` : document.text;
}

function flattenStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(flattenStrings);
  return [];
}
