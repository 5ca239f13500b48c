/**
 * Retrieval benchmark through the real pipeline: the corpus is written as a BEIR-style `corpus.jsonl`, ingested
 * with `ingestDirectory` (SQLite + FTS5 + GloVe into a Chroma sidecar, or the in-memory store with
 * `--vector memory`), and every query goes through `searchKnowledgeBase` in each mode. One JSON line per mode.
 * Without `--mode`, every mode runs: keyword, dense, hybrid and the graph modes (graph-local, graph-multihop,
 * graph-global, graph-hybrid), whose knowledge graph is built after ingest with the offline extractor.
 *
 *   npx tsx bench/retrieval.ts --dataset cranfield|cisi [--mode keyword,dense,hybrid,graph-hybrid] [--vector chroma|memory]
 *                              [--chunk-size 256] [--chunk-overlap 32] [--batch 512] [--variants] [--json]
 *   npx tsx bench/retrieval.ts --beir <dir> [--split test] [--mode …]
 *   options: --stop-words nltk|lucene|none   --embedder <model dir>   --threads <n>   --graph-store embedded|neo4j
 *
 * A record of corpus.jsonl becomes the document `corpus.jsonl#<id>`; each document is scored by its best chunk.
 * Rankings are cut at 100, so `map` is MAP over the top 100 (trec_eval's default cut is 1000).
 * `ingest_docs_per_s` is the whole ingest (load, chunk, SQLite, FTS5, embed, vector upsert) and is the same on
 * every line of a run; `queries_per_s` is sequential `searchKnowledgeBase` calls, citations included.
 * Graph lines add `extraction_chunks_per_s` (extract, resolve and store the whole graph, after ingest) and the
 * graph's size (`graph_entities`, `graph_relations`), the same on every graph line of a run.
 * `--variants` also prints one line per fusion setting, fused from the cached keyword and dense lists of the
 * same run (their `queries_per_s` is that of hybrid).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createOnnxEmbedder } from '../core/models/onnx-embedder.js';
import type { EmbeddingModel } from '../core/models/types.js';
import { loadBeirDataset } from '../evals/datasets/beir.js';
import { loadCisi, loadCranfield } from '../evals/datasets/classic.js';
import type { RetrievalDataset } from '../evals/datasets/retrieval-dataset.js';
import { evaluateRun, type RunMetrics } from '../evals/metrics/ir.js';
import { ingestDirectory } from '../rag/ingest.js';
import { fuseKeywordDense, type FuseKeywordDenseOptions } from '../rag/retrieve/hybrid.js';
import { GRAPH_SEARCH_MODES, isGraphSearchMode } from '../rag/retrieve/graph-search.js';
import { searchKnowledgeBase, type SearchHit, type SearchMode } from '../rag/search.js';
import { ENGLISH_STOP_WORDS, LUCENE_STOP_WORDS } from '../rag/stores/keyword/english-stop-words.js';
import type { IndexHit } from '../rag/stores/types.js';
import { buildBenchGraph, type BenchGraph, type BenchGraphStore } from './lib/bench-graph.js';
import { openBenchKb, type BenchVector } from './lib/bench-kb.js';
import { round } from './lib/stats.js';

const DEPTH = 100;
const INDEX_MODES = ['keyword', 'dense', 'hybrid'] as const;
const ALL_MODES: readonly SearchMode[] = [...INDEX_MODES, ...GRAPH_SEARCH_MODES];
const CORPUS_FILE = 'corpus.jsonl';
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      beir: { type: 'string' },
      split: { type: 'string', default: 'test' },
      dataset: { type: 'string' },
      mode: { type: 'string', default: ALL_MODES.join(',') },
      'graph-store': { type: 'string', default: 'embedded' },
      vector: { type: 'string', default: 'chroma' },
      'chunk-size': { type: 'string', default: '256' },
      'chunk-overlap': { type: 'string', default: '32' },
      batch: { type: 'string', default: '512' },
      json: { type: 'boolean', default: false },
      variants: { type: 'boolean', default: false },
      'stop-words': { type: 'string', default: 'nltk' },
      embedder: { type: 'string', default: path.join(sharedDir, 'models', 'glove-6B-100d-60k-onnx') },
      threads: { type: 'string', default: '2' },
    },
  });
  const modes = values.mode.split(',').map((mode) => mode.trim()) as SearchMode[];
  const bad = modes.find((mode) => !ALL_MODES.includes(mode));
  if (bad) throw new Error(`--mode takes ${ALL_MODES.join(', ')}, got ${bad}`);
  const graphStore = values['graph-store'] as BenchGraphStore;
  if (graphStore !== 'embedded' && graphStore !== 'neo4j') throw new Error(`--graph-store must be embedded or neo4j, got ${graphStore}`);
  const vector = values.vector as BenchVector;
  if (vector !== 'chroma' && vector !== 'memory') throw new Error(`--vector must be chroma or memory, got ${values.vector}`);
  const stopWords = { nltk: ENGLISH_STOP_WORDS, lucene: LUCENE_STOP_WORDS, none: new Set<string>() }[values['stop-words']];
  if (!stopWords) throw new Error(`--stop-words must be nltk, lucene or none, got ${values['stop-words']}`);
  const chunking = { chunkSize: Number(values['chunk-size']), chunkOverlap: Number(values['chunk-overlap']) };
  // graph-hybrid fuses with hybrid, so it needs the dense index too.
  const needsDense = modes.includes('dense') || modes.includes('hybrid') || modes.includes('graph-hybrid') || values.variants;
  const needsGraph = modes.some(isGraphSearchMode);
  const dataset = await loadDataset(values.beir, values.split, values.dataset);

  const workDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-retrieval-'));
  let embedder: EmbeddingModel | undefined;
  try {
    // The corpus as ingestion sees it: a folder holding one corpus.jsonl (the BEIR folder itself when given).
    let root = values.beir;
    if (!root) {
      root = path.join(workDir, 'corpus');
      mkdirSync(root);
      writeFileSync(
        path.join(root, CORPUS_FILE),
        dataset.corpus.map((document) => JSON.stringify({ _id: document.id, title: document.title, text: document.text })).join('\n') + '\n',
      );
    }
    if (needsDense) embedder = await createOnnxEmbedder({ modelDir: values.embedder, threads: Number(values.threads), maxBatchSize: 64 });
    const bench = await openBenchKb({ workDir, vector: needsDense ? vector : 'none', embedder, keywordQuery: { stopWords } });
    let graph: BenchGraph | undefined;
    try {
      const summary = await ingestDirectory({
        root,
        kb: bench.kb,
        knowledgeBases: bench.knowledgeBases,
        documents: bench.documents,
        keywordStore: bench.keywordStore,
        dense: bench.dense,
        chunking,
        walk: { include: [CORPUS_FILE] },
        batchChunks: Number(values.batch),
      });
      if (summary.failed > 0) throw new Error(`ingest failed: ${JSON.stringify(summary.failures)}`);
      const ingestDocsPerS = summary.added / summary.seconds;
      const chunks = bench.documents.countChunks(bench.kb.id);
      const kb = bench.current();
      if (needsGraph) graph = await buildBenchGraph({ kb, documents: bench.documents, store: graphStore, embedder });
      const prefix = `${CORPUS_FILE}#`;
      const documentOf = new Map<string, string>();
      const toDocumentIds = (hits: readonly SearchHit[]) => {
        const seen = new Set<string>();
        for (const hit of hits) {
          const id = hit.citation.documentId.startsWith(prefix) ? hit.citation.documentId.slice(prefix.length) : hit.citation.documentId;
          documentOf.set(hit.chunkId, id);
          seen.add(id);
        }
        return [...seen];
      };
      const report = (mode: string, metrics: RunMetrics, queriesPerS: number) => {
        const line = {
          dataset: dataset.name,
          mode,
          'ndcg@10': round(metrics['ndcg@10']),
          'recall@2': round(metrics['recall@2']),
          'recall@5': round(metrics['recall@5']),
          'recall@10': round(metrics['recall@10']),
          'recall@100': round(metrics['recall@100']),
          'mrr@10': round(metrics['mrr@10']),
          map: round(metrics.map),
          queries_per_s: round(queriesPerS, 1),
          ingest_docs_per_s: round(ingestDocsPerS, 1),
          queries: metrics.queries,
          documents: summary.added,
          chunks,
          chunk_size: chunking.chunkSize,
          vector: needsDense ? vector : 'none',
          ...(graph && isGraphSearchMode(mode)
            ? {
              extraction_chunks_per_s: round(graph.chunksPerS, 1),
              graph_entities: graph.stats.entities,
              graph_relations: graph.stats.relations,
              graph_store: graphStore,
            }
            : {}),
          ...(mode === 'keyword' && PUBLISHED_BM25_NDCG10[dataset.name] !== undefined
            ? { 'published_bm25_ndcg@10': PUBLISHED_BM25_NDCG10[dataset.name]!, published_source: 'BEIR paper, Table 2' }
            : {}),
        };
        process.stdout.write(`${JSON.stringify(line)}\n`);
        if (!values.json) {
          const recalls = ([2, 5, 10, 100] as const).map((k) => `R@${k} ${line[`recall@${k}`].toFixed(4)}`).join('  ');
          process.stderr.write(`  ${mode.padEnd(34)} nDCG@10 ${line['ndcg@10'].toFixed(4)}  ${recalls}\n`);
        }
      };

      // Lists kept for --variants: keyword and dense at depth 100, as retrieveHybrid asks of each index.
      const lists: Record<'keyword' | 'dense', Map<string, IndexHit[]>> = { keyword: new Map(), dense: new Map() };
      const toRun: SearchMode[] = modes.filter((mode) => mode !== 'hybrid' && !isGraphSearchMode(mode));
      if (values.variants) for (const mode of ['keyword', 'dense'] as const) if (!toRun.includes(mode)) toRun.push(mode);
      if (modes.includes('hybrid')) toRun.push('hybrid');
      toRun.push(...modes.filter(isGraphSearchMode));
      let hybridQps = 0;
      for (const mode of toRun) {
        const run = new Map<string, string[]>();
        const started = performance.now();
        for (const query of dataset.queries) {
          const result = await searchKnowledgeBase({
            kb, query: query.text, mode, topK: DEPTH, documents: bench.documents, keywordStore: bench.keywordStore, dense: bench.dense,
            graph: graph && { store: graph.store },
          });
          if (result.mode !== mode) throw new Error(`asked for ${mode}, got ${result.mode}: ${result.notice}`);
          run.set(query.id, toDocumentIds(result.hits));
          if (mode === 'keyword' || mode === 'dense') lists[mode].set(query.id, result.hits.map((hit) => ({ chunkId: hit.chunkId, score: hit.score })));
        }
        const queriesPerS = dataset.queries.length / ((performance.now() - started) / 1000);
        if (mode === 'hybrid') hybridQps = queriesPerS;
        if (modes.includes(mode)) report(mode, evaluateRun(run, dataset.qrels), queriesPerS);
      }
      if (values.variants) {
        for (const variant of fusionVariants()) {
          const run = new Map(dataset.queries.map((query) => {
            const fused = fuseKeywordDense({ keyword: lists.keyword.get(query.id) ?? [], dense: lists.dense.get(query.id) ?? [], ...variant.settings });
            return [query.id, [...new Set(fused.slice(0, DEPTH).map((hit) => documentOf.get(hit.chunkId) ?? hit.chunkId))]];
          }));
          report(`hybrid:${variant.label}`, evaluateRun(run, dataset.qrels), hybridQps);
        }
      }
    } finally {
      try {
        await graph?.close();
      } finally {
        await bench.close();
      }
    }
  } finally {
    await embedder?.dispose?.();
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

await main();
