/**
 * Query latency at ~100k chunks: every shared dataset's passages, repeated with a suffix per copy until the
 * target chunk count is reached, ingested through `ingestDirectory` (SQLite + FTS5 + GloVe into a Chroma
 * sidecar), then p50/p95 of `searchKnowledgeBase` (no rerank) for keyword, dense and hybrid over the same queries.
 *
 *   npx tsx bench/query-latency.ts [--chunks 100000] [--queries 300] [--rounds 3] [--top-k 10] [--batch 2048]
 *                                  [--vector chroma|memory] [--modes keyword,dense,hybrid] [--profile]
 *
 * Queries come from Cranfield, CISI, HotpotQA, PubMedQA and NQ-open (spread evenly over that list), run one at a
 * time after a warm-up; modes are interleaved within each round so drift hits all of them alike. One JSON line for
 * the ingest, one per mode (all rounds pooled, plus each round's p95), and with `--profile` one per mode with the
 * per-call time of each part (keyword query, query embedding, vector query, chunk lookup in SQLite).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createOnnxEmbedder } from '../core/models/onnx-embedder.js';
import type { EmbeddingModel } from '../core/models/types.js';
import { chunkDocument } from '../rag/chunk.js';
import { ingestDirectory } from '../rag/ingest.js';
import type { Documents } from '../rag/knowledge/documents.js';
import { searchKnowledgeBase, type SearchMode } from '../rag/search.js';
import type { KeywordStore, VectorStore } from '../rag/stores/types.js';
import { openBenchKb, type BenchVector } from './lib/bench-kb.js';
import { loadSharedCorpus, loadSharedQueries } from './lib/shared-corpus.js';
import { peakRssMb, percentile, printLine, round } from './lib/stats.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sharedDir = path.resolve(repoRoot, '..', 'shared');

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '3' },
    'top-k': { type: 'string', default: '10' },
    batch: { type: 'string', default: '2048' },
    'chunk-size': { type: 'string', default: '256' },
    'chunk-overlap': { type: 'string', default: '32' },
    vector: { type: 'string', default: 'chroma' },
    modes: { type: 'string', default: 'keyword,dense,hybrid' },
    threads: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    embedder: { type: 'string', default: path.join(sharedDir, 'models', 'glove-6B-100d-60k-onnx') },
  },
});
const chunking = { chunkSize: Number(values['chunk-size']), chunkOverlap: Number(values['chunk-overlap']) };
const modes = values.modes.split(',').map((mode) => mode.trim()) as SearchMode[];
const topK = Number(values['top-k']);

const workDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-latency-'));
let embedder: EmbeddingModel | undefined;
try {
  const corpusDir = path.join(workDir, 'corpus');
  const { files, estimatedChunks } = await writeCorpus(corpusDir, Number(values.chunks));
  embedder = await createOnnxEmbedder({ modelDir: values.embedder, threads: Number(values.threads), maxBatchSize: 64 });
  const bench = await openBenchKb({ workDir, vector: values.vector as BenchVector, embedder });
  try {
    const summary = await ingestDirectory({
      root: corpusDir,
      kb: bench.kb,
      knowledgeBases: bench.knowledgeBases,
      documents: bench.documents,
      keywordStore: bench.keywordStore,
      dense: bench.dense,
      chunking,
      batchChunks: Number(values.batch),
    });
    if (summary.failed > 0) throw new Error(`ingest failed: ${JSON.stringify(summary.failures.slice(0, 3))}`);
    printLine({
      bench: 'query-latency', measure: 'ingest', via: 'ingestDirectory', vector: values.vector, files, estimated_chunks: estimatedChunks,
      documents: summary.added, chunks: summary.chunksIndexed, seconds: round(summary.seconds, 1),
      chunks_per_s: round(summary.chunksIndexed / summary.seconds, 1), batch_chunks: Number(values.batch),
    });

    const all = await loadSharedQueries(path.join(sharedDir, 'datasets'));
    const count = Math.min(Number(values.queries), all.length);
    const queries = Array.from({ length: count }, (_, index) => all[Math.floor((index * all.length) / count)]!);
    const kb = bench.current();
    const parts = new Map<string, number[]>();
    const record = (key: string, ms: number) => { if (!parts.has(key)) parts.set(key, []); parts.get(key)!.push(ms); };
    const profiled = values.profile ? instrument(bench, record) : bench;
    let currentMode: SearchMode = 'keyword';
    const search = (query: string, mode: SearchMode) => searchKnowledgeBase({
      kb, query, mode, topK, documents: profiled.documents, keywordStore: profiled.keywordStore, dense: profiled.dense,
    });
    // Warm-up: first calls pay for prepared statements, page cache and Chroma's index load.
    for (const mode of modes) for (const query of queries.slice(0, 20)) await search(query, mode);
    parts.clear();

    const latencies = new Map<SearchMode, number[]>(modes.map((mode) => [mode, []]));
    const roundP95 = new Map<SearchMode, number[]>(modes.map((mode) => [mode, []]));
    for (let round_ = 0; round_ < Number(values.rounds); round_ += 1) {
      const thisRound = new Map<SearchMode, number[]>(modes.map((mode) => [mode, []]));
      for (const query of queries) {
        for (const mode of modes) {
          currentMode = mode;
          const started = performance.now();
          const result = await search(query, mode);
          const ms = performance.now() - started;
          if (result.mode !== mode) throw new Error(`asked for ${mode}, got ${result.mode}`);
          thisRound.get(mode)!.push(ms);
          latencies.get(mode)!.push(ms);
        }
      }
      for (const mode of modes) roundP95.get(mode)!.push(round(percentile(thisRound.get(mode)!.sort((a, b) => a - b), 0.95), 2));
    }
    const chunks = bench.documents.countChunks(bench.kb.id);
    for (const mode of modes) {
      const sorted = latencies.get(mode)!.sort((a, b) => a - b);
      printLine({
        bench: 'query-latency', mode, chunks, vector: values.vector, queries: queries.length, rounds: Number(values.rounds), top_k: topK,
        p50_ms: round(percentile(sorted, 0.5), 2), p95_ms: round(percentile(sorted, 0.95), 2), p99_ms: round(percentile(sorted, 0.99), 2),
        mean_ms: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length, 2), round_p95_ms: roundP95.get(mode),
        ...(mode === 'hybrid' ? { goal_p95_ms: 50 } : {}),
      });
    }
    if (values.profile) {
      const byMode = new Map<string, Record<string, number>>();
      for (const [key, samples] of parts) {
        const [mode, part] = key.split(':') as [string, string];
        const sorted = samples.sort((a, b) => a - b);
        const entry = byMode.get(mode) ?? {};
        entry[`${part}_p50_ms`] = round(percentile(sorted, 0.5), 2);
        entry[`${part}_p95_ms`] = round(percentile(sorted, 0.95), 2);
        byMode.set(mode, entry);
      }
      for (const [mode, entry] of byMode) printLine({ bench: 'query-latency', profile: mode, ...entry });
    }
    printLine({ bench: 'query-latency', measure: 'memory', peak_rss_mb: peakRssMb() });

    function instrument(target: typeof bench, add: (key: string, ms: number) => void) {
      const timed = <T>(part: string, run: () => Promise<T>): Promise<T> => {
        const started = performance.now();
        return run().finally(() => add(`${currentMode}:${part}`, performance.now() - started));
      };
      const keywordStore: KeywordStore = { ...target.keywordStore, query: (scope, request) => timed('keyword_query', () => target.keywordStore.query(scope, request)) };
      const dense = target.dense && {
        embedder: { ...target.dense.embedder, dimensions: target.dense.embedder.dimensions, doEmbed: (options: Parameters<EmbeddingModel['doEmbed']>[0]) => timed('embed_query', () => target.dense!.embedder.doEmbed(options)) },
        vectorStore: { ...target.dense.vectorStore, query: (scope, request) => timed('vector_query', () => target.dense!.vectorStore.query(scope, request)) } as VectorStore,
      };
      const documents = new Proxy(target.documents, {
        get(object, key, receiver) {
          const value = Reflect.get(object, key, receiver) as unknown;
          if (key === 'chunks') {
            return (...args: Parameters<Documents['chunks']>) => {
              const started = performance.now();
              try { return object.chunks(...args); } finally { add(`${currentMode}:sqlite_chunks`, performance.now() - started); }
            };
          }
          return typeof value === 'function' ? value.bind(object) : value;
        },
      });
      return { keywordStore, dense, documents };
    }
  } finally {
    await bench.close();
  }
} finally {
  await embedder?.dispose?.();
  rmSync(workDir, { recursive: true, force: true });
}

/**
 * Writes one JSONL file per copy of the shared corpus until the copies hold about `target` chunks (estimated by
 * chunking the first copy). Copies differ by a suffix in every title and text, so no two chunks are identical.
 */
async function writeCorpus(dir: string, target: number): Promise<{ files: number; estimatedChunks: number }> {
  mkdirSync(dir, { recursive: true });
  const corpus = await loadSharedCorpus(path.join(sharedDir, 'datasets'));
  let perCopy = 0;
  for (const document of corpus) {
    // What the records loader chunks: the text field (the title travels beside each chunk, unchunked).
    const text = document.text.trim() !== '' ? document.text : document.title;
    perCopy += (await chunkDocument({ id: document.id, source: 'x', mimeType: 'application/jsonl', text, metadata: {}, contentHash: '' }, chunking)).length;
  }
  const copies = Math.max(1, Math.ceil(target / perCopy));
  for (let copy = 0; copy < copies; copy += 1) {
    const suffix = copy === 0 ? '' : ` (copy ${copy})`;
    const lines = corpus.map((document) => JSON.stringify({ _id: `${document.id}-c${copy}`, title: document.title ? `${document.title}${suffix}` : suffix.trim(), text: `${document.text}${suffix}` }));
    writeFileSync(path.join(dir, `copy-${String(copy).padStart(3, '0')}.jsonl`), `${lines.join('\n')}\n`);
  }
  return { files: copies, estimatedChunks: copies * perCopy };
}
