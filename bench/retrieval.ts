/**
 * Retrieval benchmark: BM25 (SQLite FTS5), dense (GloVe ONNX + in-memory cosine) and hybrid, on a BEIR folder or
 * the classic Cranfield / CISI collections in ../shared/datasets. One JSON line per mode on stdout.
 *
 *   npx tsx bench/retrieval.ts --dataset cranfield|cisi [--mode keyword,dense,hybrid] [--variants] [--json]
 *   npx tsx bench/retrieval.ts --beir <dir> [--split test] [--mode …]
 *   options: --stop-words nltk|lucene|none   --embedder <model dir>   --threads <n>
 *
 * Each document is scored by its best chunk; documents are indexed whole unless longer than CHUNK_WORDS words,
 * then split naïvely into overlapping word windows (the real chunker lives in rag/). Rankings are cut at 100, so
 * `map` is MAP over the top 100 (trec_eval's default cut is 1000). `--variants` also prints one line per fusion
 * setting tried, reusing the same keyword and dense lists.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../core/db.js';
import { coreMigrations } from '../core/migrations.js';
import { embedMany } from '../core/models/embed-many.js';
import { createOnnxEmbedder } from '../core/models/onnx-embedder.js';
import { loadBeirDataset } from '../evals/datasets/beir.js';
import { loadCisi, loadCranfield } from '../evals/datasets/classic.js';
import type { RetrievalDataset } from '../evals/datasets/retrieval-dataset.js';
import { evaluateRun, type RunMetrics } from '../evals/metrics/ir.js';
import { ragKeywordMigrations } from '../rag/migrations.js';
import { fuseKeywordDense, type FuseKeywordDenseOptions } from '../rag/retrieve/hybrid.js';
import { ENGLISH_STOP_WORDS, LUCENE_STOP_WORDS } from '../rag/stores/keyword/english-stop-words.js';
import { createFts5KeywordStore } from '../rag/stores/keyword/fts5-keyword-store.js';
import type { IndexHit, StoreScope } from '../rag/stores/types.js';
import { createMemoryVectorStore } from '../rag/stores/vector/memory-vector-store.js';

const CHUNK_WORDS = 400;
const CHUNK_OVERLAP = 50;
const DEPTH = 100;
const scope: StoreScope = { tenantId: 'bench', kbId: 'bench' };
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sharedDir = path.resolve(repoRoot, '..', 'shared');

/**
 * Published BM25 nDCG@10 for BEIR sets, from the BEIR paper (Thakur et al., NeurIPS 2021 Datasets and Benchmarks,
 * Table 2; Anserini BM25 over title + text). Keyed by folder name. None known to us for Cranfield or CISI with
 * this protocol, so none is printed for them.
 */
const PUBLISHED_BM25_NDCG10: Readonly<Record<string, number>> = {
  scifact: 0.665, nfcorpus: 0.325, fiqa: 0.236, arguana: 0.315, scidocs: 0.158, 'trec-covid': 0.656,
  quora: 0.789, nq: 0.329, hotpotqa: 0.603, 'dbpedia-entity': 0.313, fever: 0.753, 'climate-fever': 0.213,
  msmarco: 0.228, 'webis-touche2020': 0.367,
};

type Mode = 'keyword' | 'dense' | 'hybrid';

interface Chunk {
  readonly chunkId: string;
  readonly documentId: string;
  readonly text: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      beir: { type: 'string' },
      split: { type: 'string', default: 'test' },
      dataset: { type: 'string' },
      mode: { type: 'string', default: 'keyword,dense,hybrid' },
      json: { type: 'boolean', default: false },
      variants: { type: 'boolean', default: false },
      'stop-words': { type: 'string', default: 'nltk' },
      embedder: { type: 'string', default: path.join(sharedDir, 'models', 'glove-6B-100d-60k-onnx') },
      threads: { type: 'string', default: '2' },
    },
  });
  const modes = values.mode.split(',').map((mode) => mode.trim()) as Mode[];
  const dataset = await loadDataset(values.beir, values.split, values.dataset);
  const stopWords = { nltk: ENGLISH_STOP_WORDS, lucene: LUCENE_STOP_WORDS, none: new Set<string>() }[values['stop-words']];
  if (!stopWords) throw new Error(`--stop-words must be nltk, lucene or none, got ${values['stop-words']}`);
  const chunks = dataset.corpus.flatMap((document) => splitDocument(document.id, `${document.title}\n${document.text}`));
  const documentOf = new Map(chunks.map((chunk) => [chunk.chunkId, chunk.documentId]));
  const report = (mode: string, metrics: RunMetrics, extra: Record<string, number | string>) => {
    const line = {
      dataset: dataset.name,
      mode,
      'ndcg@10': round(metrics['ndcg@10']),
      'recall@100': round(metrics['recall@100']),
      'mrr@10': round(metrics['mrr@10']),
      map: round(metrics.map),
      ...extra,
      queries: metrics.queries,
      ...(mode === 'keyword' && PUBLISHED_BM25_NDCG10[dataset.name] !== undefined
        ? { 'published_bm25_ndcg@10': PUBLISHED_BM25_NDCG10[dataset.name]!, published_source: 'BEIR paper, Table 2' }
        : {}),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    if (!values.json) process.stderr.write(`  ${mode.padEnd(34)} nDCG@10 ${line['ndcg@10'].toFixed(4)}  R@100 ${line['recall@100'].toFixed(4)}\n`);
  };
  const toRun = (rankings: Map<string, readonly IndexHit[]>) =>
    new Map([...rankings].map(([queryId, hits]) => [queryId, bestChunkPerDocument(hits, documentOf)]));

  const workDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-'));
  try {
    // Keyword index.
    const { db } = openDatabase({ file: path.join(workDir, 'bench.db'), migrations: [...coreMigrations, ...ragKeywordMigrations] });
    const keywordStore = createFts5KeywordStore({ db, query: { stopWords } });
    let started = performance.now();
    for (let start = 0; start < chunks.length; start += 1000) {
      await keywordStore.upsert(scope, chunks.slice(start, start + 1000).map(({ chunkId, text }) => ({ chunkId, text, metadata: {} })));
    }
    const keywordIngest = dataset.corpus.length / ((performance.now() - started) / 1000);
    const keyword = new Map<string, readonly IndexHit[]>();
    started = performance.now();
    for (const query of dataset.queries) keyword.set(query.id, await keywordStore.query(scope, { text: query.text, topK: DEPTH }));
    const keywordQps = dataset.queries.length / ((performance.now() - started) / 1000);
    if (modes.includes('keyword')) {
      report('keyword', evaluateRun(toRun(keyword), dataset.qrels), { queries_per_s: round(keywordQps, 1), ingest_docs_per_s: round(keywordIngest, 1) });
    }
    db.close();
    if (!modes.includes('dense') && !modes.includes('hybrid')) return;

    // Dense index.
    const embedder = await createOnnxEmbedder({ modelDir: values.embedder, threads: Number(values.threads), maxBatchSize: 64 });
    const vectorStore = createMemoryVectorStore();
    started = performance.now();
    const { embeddings } = await embedMany(embedder, chunks.map((chunk) => chunk.text));
    await vectorStore.upsert(scope, chunks.map((chunk, index) => ({ chunkId: chunk.chunkId, embedding: embeddings[index]!, text: chunk.text, metadata: {} })));
    const denseIngest = dataset.corpus.length / ((performance.now() - started) / 1000);
    const dense = new Map<string, readonly IndexHit[]>();
    started = performance.now();
    for (const query of dataset.queries) {
      const { embeddings: [vector] } = await embedMany(embedder, [query.text], { inputType: 'query' });
      dense.set(query.id, await vectorStore.query(scope, { embedding: vector!, topK: DEPTH }));
    }
    const denseSeconds = (performance.now() - started) / 1000;
    await embedder.dispose?.();
    if (modes.includes('dense')) {
      report('dense', evaluateRun(toRun(dense), dataset.qrels), {
        queries_per_s: round(dataset.queries.length / denseSeconds, 1),
        ingest_docs_per_s: round(denseIngest, 1),
      });
    }

    // Hybrid: the fusion step of retrieveHybrid over the same two lists; query cost is both searches plus fusion.
    const hybrid = (settings: Omit<FuseKeywordDenseOptions, 'keyword' | 'dense'>) => {
      const fusedStart = performance.now();
      const rankings = new Map(dataset.queries.map((query) => [
        query.id,
        fuseKeywordDense({ keyword: keyword.get(query.id) ?? [], dense: dense.get(query.id) ?? [], ...settings }).slice(0, DEPTH),
      ]));
      const seconds = (performance.now() - fusedStart) / 1000 + dataset.queries.length / keywordQps + denseSeconds;
      return {
        metrics: evaluateRun(toRun(rankings), dataset.qrels),
        extra: {
          queries_per_s: round(dataset.queries.length / seconds, 1),
          ingest_docs_per_s: round(1 / (1 / keywordIngest + 1 / denseIngest), 1),
        },
      };
    };
    if (modes.includes('hybrid')) {
      const { metrics, extra } = hybrid({});
      report('hybrid', metrics, extra);
    }
    if (values.variants) {
      for (const variant of fusionVariants()) {
        const { metrics, extra } = hybrid(variant.settings);
        report(`hybrid:${variant.label}`, metrics, extra);
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function fusionVariants(): { label: string; settings: Omit<FuseKeywordDenseOptions, 'keyword' | 'dense'> }[] {
  const variants: { label: string; settings: Omit<FuseKeywordDenseOptions, 'keyword' | 'dense'> }[] = [];
  for (const dense of [1, 0.5, 0.3, 0.2, 0.1]) {
    variants.push({ label: `rrf k60 w1/${dense}`, settings: { fusion: { method: 'rrf', k: 60 }, weights: { keyword: 1, dense } } });
  }
  for (const dense of [1, 0.5, 0.3]) {
    variants.push({ label: `rrf k60 w1/${dense} pool=keyword`, settings: { fusion: { method: 'rrf', k: 60 }, weights: { keyword: 1, dense }, pool: 'keyword' } });
  }
  for (const normalization of ['minmax', 'zscore'] as const) {
    for (const dense of [0.5, 0.3, 0.2, 0.1]) {
      variants.push({
        label: `${normalization} w1/${dense}`,
        settings: { fusion: { method: 'scores', normalization }, weights: { keyword: 1, dense } },
      });
    }
  }
  return variants;
}

async function loadDataset(beir: string | undefined, split: string, name: string | undefined): Promise<RetrievalDataset> {
  if (beir) return loadBeirDataset({ dir: beir, split });
  if (name === 'cranfield') return loadCranfield({ dir: path.join(sharedDir, 'datasets', 'cranfield') });
  if (name === 'cisi') return loadCisi({ dir: path.join(sharedDir, 'datasets', 'cisi') });
  throw new Error('pass --beir <dir> or --dataset cranfield|cisi');
}

function splitDocument(documentId: string, text: string): Chunk[] {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length <= CHUNK_WORDS) return [{ chunkId: documentId, documentId, text }];
  const chunks: Chunk[] = [];
  for (let start = 0; start < words.length; start += CHUNK_WORDS - CHUNK_OVERLAP) {
    chunks.push({ chunkId: `${documentId}#${chunks.length}`, documentId, text: words.slice(start, start + CHUNK_WORDS).join(' ') });
    if (start + CHUNK_WORDS >= words.length) break;
  }
  return chunks;
}

/** Document ids in order of their best chunk. */
function bestChunkPerDocument(hits: readonly IndexHit[], documentOf: ReadonlyMap<string, string>): string[] {
  const seen = new Set<string>();
  for (const hit of hits) seen.add(documentOf.get(hit.chunkId) ?? hit.chunkId);
  return [...seen];
}

function round(value: number, digits = 4): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

await main();
