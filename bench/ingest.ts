/**
 * Ingestion throughput: Trellis (`ingestDirectory`: SQLite source of truth + FTS5 + GloVe into a Chroma sidecar)
 * against the LangChain way (DirectoryLoader + TextLoader, RecursiveCharacterTextSplitter, `Chroma.fromDocuments`
 * on the same kind of sidecar with the same GloVe embedder as LangChain `Embeddings`). Same folder of .txt files,
 * same chunk size (Trellis counts estimated tokens of 4 characters, so 256 tokens = 1024 characters for LangChain).
 * Each system runs in its own child process, so peak RSS is its own; the sidecar's peak RSS is reported beside it.
 *
 * Both systems get identical vectors from the same model files, each hosted the way that system hosts it: Trellis
 * on a worker thread (`createOnnxEmbedderInWorker`, as its runtime does), LangChain in process, as LangChain
 * `Embeddings` run. `--baseline-embedder worker` hands LangChain the worker-hosted embedder too.
 *
 *   npx tsx bench/ingest.ts [--docs 5000] [--runs 3] [--chunk-size 256] [--chunk-overlap 32] [--batch 512]
 *                           [--threads 2] [--only trellis|langchain] [--baseline-embedder in-process|worker] [--profile]
 *
 * One JSON line per run and system, then per system the p50 over runs, then `{"ratio": trellis / langchain}` in
 * docs/s. The timed span is ingestion alone: the embedder is loaded and the sidecar started before it (both
 * reported). `--profile` makes the Trellis child also print where its time went (it wraps the stores and the
 * embedder with timers, which costs little but is not free).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createOnnxEmbedder } from '../core/models/onnx-embedder.js';
import { createOnnxEmbedderInWorker } from '../core/models/onnx-embedder-in-worker.js';
import { TrellisEmbeddings } from '../core/models/embed-many.js';
import type { EmbeddingModel } from '../core/models/types.js';
import { silentLogger } from '../core/logger.js';
import { ingestDirectory } from '../rag/ingest.js';
import { startChromaSidecar } from '../rag/stores/vector/chroma-sidecar.js';
import { openBenchKb } from './lib/bench-kb.js';
import { instrument, type Profile } from './lib/profile.js';
import { asPlainText, loadSharedCorpus } from './lib/shared-corpus.js';
import { median, peakRssMb, printLine, round } from './lib/stats.js';

const benchFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(benchFile), '..');
const sharedDir = path.resolve(repoRoot, '..', 'shared');
type System = 'trellis' | 'langchain';
const LANGCHAIN_BATCH = 5000;

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    'chunk-size': { type: 'string', default: '256' },
    'chunk-overlap': { type: 'string', default: '32' },
    batch: { type: 'string', default: '512' },
    threads: { type: 'string', default: '2' },
    only: { type: 'string' },
    'baseline-embedder': { type: 'string', default: 'in-process' },
    profile: { type: 'boolean', default: false },
    embedder: { type: 'string', default: path.join(sharedDir, 'models', 'glove-6B-100d-60k-onnx') },
    // Internal: run one system over a prepared folder and print its line.
    child: { type: 'string' },
    corpus: { type: 'string' },
    work: { type: 'string' },
  },
});
const chunkSize = Number(values['chunk-size']);
const chunkOverlap = Number(values['chunk-overlap']);

if (values.child) await runChild(values.child as System, values.corpus!, values.work!);
else await runParent();

async function runParent(): Promise<void> {
  const systems: System[] = values.only ? [values.only as System] : ['trellis', 'langchain'];
  const runs = Number(values.runs);
  const workDir = mkdtempSync(path.join(tmpdir(), 'trellis-bench-ingest-'));
  try {
    const corpusDir = path.join(workDir, 'corpus');
    const docs = writeCorpus(corpusDir, await loadSharedCorpus(path.join(sharedDir, 'datasets')), Number(values.docs));
    const results: Record<System, Record<string, number>[]> = { trellis: [], langchain: [] };
    for (let run = 0; run < runs; run += 1) {
      // Alternate the order so neither system always runs on a warmer page cache.
      const order = run % 2 === 0 ? systems : [...systems].reverse();
      for (const system of order) {
        const runDir = path.join(workDir, `${system}-${run}`);
        mkdirSync(runDir);
        const line = await spawnChild(system, corpusDir, runDir);
        rmSync(runDir, { recursive: true, force: true });
        results[system].push(line);
        printLine({ bench: 'ingest', system, run, docs, ...line });
      }
    }
    const p50: Partial<Record<System, number>> = {};
    for (const system of systems) {
      const lines = results[system];
      const summary: Record<string, unknown> = { bench: 'ingest', system, stat: 'p50', runs, docs };
      for (const key of ['docs_per_s', 'chunks_per_s', 'seconds', 'peak_rss_mb', 'chroma_peak_rss_mb', 'chunks']) {
        const present = lines.map((line) => line[key]).filter((value): value is number => typeof value === 'number');
        if (present.length > 0) summary[key] = round(median(present), 2);
      }
      p50[system] = summary.docs_per_s as number;
      printLine(summary);
    }
    if (p50.trellis !== undefined && p50.langchain !== undefined) {
      printLine({ bench: 'ingest', ratio: round(p50.trellis / p50.langchain, 3), goal: 3, docs, baseline_embedder: values['baseline-embedder'] });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Writes `count` documents as .txt files, drawn round-robin from the shared collections so every prefix of the
 * folder mixes them; past the corpus size, documents repeat with a suffix in their name.
 */
function writeCorpus(dir: string, corpus: readonly { id: string; title: string; text: string }[], count: number): number {
  mkdirSync(dir, { recursive: true });
  const byCollection = new Map<string, (typeof corpus)[number][]>();
  for (const document of corpus) {
    const collection = document.id.split('-')[0]!;
    if (!byCollection.has(collection)) byCollection.set(collection, []);
    byCollection.get(collection)!.push(document);
  }
  const mixed: (typeof corpus)[number][] = [];
  const queues = [...byCollection.values()];
  for (let index = 0; mixed.length < corpus.length; index += 1) {
    for (const queue of queues) if (index < queue.length) mixed.push(queue[index]!);
  }
  for (let index = 0; index < count; index += 1) {
    const document = mixed[index % mixed.length]!;
    const round_ = Math.floor(index / mixed.length);
    writeFileSync(path.join(dir, `${document.id}${round_ === 0 ? '' : `-r${round_}`}.txt`), asPlainText(document));
  }
  return count;
}

function spawnChild(system: System, corpusDir: string, workDir: string): Promise<Record<string, number>> {
  const args = [
    '--import', 'tsx', benchFile, '--child', system, '--corpus', corpusDir, '--work', workDir,
    '--chunk-size', String(chunkSize), '--chunk-overlap', String(chunkOverlap), '--batch', values.batch,
    '--threads', values.threads, '--embedder', values.embedder, '--baseline-embedder', values['baseline-embedder'],
    ...(values.profile ? ['--profile'] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    child.once('error', reject);
    child.once('exit', (code) => {
      const lines = out.split('\n').filter((line) => line.startsWith('{'));
      if (code !== 0 || lines.length === 0) return reject(new Error(`${system} child exited with ${code}: ${out}`));
      // Profile lines (if any) pass through; the last line is the measurement.
      for (const line of lines.slice(0, -1)) process.stdout.write(`${line}\n`);
      resolve(JSON.parse(lines.at(-1)!) as Record<string, number>);
    });
  });
}

async function runChild(system: System, corpusDir: string, workDir: string): Promise<void> {
  const options = { modelDir: values.embedder, threads: Number(values.threads), maxBatchSize: 64 };
  const inWorker = system === 'trellis' || values['baseline-embedder'] === 'worker';
  const embedder = inWorker ? await createOnnxEmbedderInWorker(options) : await createOnnxEmbedder(options);
  try {
    const line = system === 'trellis' ? await runTrellis(embedder, corpusDir, workDir) : await runLangChain(embedder, corpusDir, workDir);
    printLine({ ...line, peak_rss_mb: peakRssMb() });
  } finally {
    await embedder.dispose?.();
  }
}

async function runTrellis(embedder: EmbeddingModel, corpusDir: string, workDir: string): Promise<Record<string, number>> {
  const profile: Profile | undefined = values.profile ? new Map() : undefined;
  const bench = await openBenchKb({ workDir, vector: 'chroma', embedder: profile ? instrument.embedder(embedder, profile) : embedder });
  try {
    const dense = bench.dense && profile ? { embedder: bench.dense.embedder, vectorStore: instrument.vectorStore(bench.dense.vectorStore, profile) } : bench.dense;
    const keywordStore = profile ? instrument.keywordStore(bench.keywordStore, profile) : bench.keywordStore;
    const documents = profile ? instrument.documents(bench.documents, profile) : bench.documents;
    const started = performance.now();
    const summary = await ingestDirectory({
      root: corpusDir,
      kb: bench.kb,
      knowledgeBases: bench.knowledgeBases,
      documents,
      keywordStore,
      dense,
      chunking: { chunkSize, chunkOverlap },
      batchChunks: Number(values.batch),
    });
    const seconds = (performance.now() - started) / 1000;
    if (summary.failed > 0) throw new Error(`ingest failed: ${JSON.stringify(summary.failures.slice(0, 3))}`);
    if (profile) printLine({ bench: 'ingest', system: 'trellis', profile: 'seconds', total: round(seconds, 2), ...Object.fromEntries([...profile].map(([key, ms]) => [key, round(ms / 1000, 2)])) });
    return {
      docs_per_s: round(summary.added / seconds, 1),
      chunks_per_s: round(summary.chunksIndexed / seconds, 1),
      seconds: round(seconds, 2),
      chunks: summary.chunksIndexed,
      sidecar_start_ms: bench.sidecar!.startMs,
      chroma_peak_rss_mb: sidecarPeakRss(bench.sidecar!.pid),
    };
  } finally {
    await bench.close();
  }
}

async function runLangChain(embedder: EmbeddingModel, corpusDir: string, workDir: string): Promise<Record<string, number>> {
  const { DirectoryLoader } = await import('@langchain/classic/document_loaders/fs/directory');
  const { TextLoader } = await import('@langchain/classic/document_loaders/fs/text');
  const { RecursiveCharacterTextSplitter } = await import('@langchain/textsplitters');
  const { Chroma } = await import('@langchain/community/vectorstores/chroma');
  const sidecar = await startChromaSidecar({ dataDir: path.join(workDir, 'chroma'), logger: silentLogger });
  try {
    const started = performance.now();
    const loader = new DirectoryLoader(corpusDir, { '.txt': (file: string) => new TextLoader(file) });
    const docs = await loader.load();
    // Trellis estimates a token as 4 characters: the same chunks measured in characters.
    const splitter = new RecursiveCharacterTextSplitter({ chunkSize: chunkSize * 4, chunkOverlap: chunkOverlap * 4 });
    const splits = await splitter.splitDocuments(docs);
    // Chroma.fromDocuments sends everything in one upsert, which the server refuses past its max batch (5461
    // records in chromadb 3.5): beyond that a user adds the documents in batches, as here.
    const embeddings = new TrellisEmbeddings(embedder);
    const store = await Chroma.fromDocuments(splits.slice(0, LANGCHAIN_BATCH), embeddings, { collectionName: 'bench', url: sidecar.url });
    for (let start = LANGCHAIN_BATCH; start < splits.length; start += LANGCHAIN_BATCH) {
      await store.addDocuments(splits.slice(start, start + LANGCHAIN_BATCH));
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      docs_per_s: round(docs.length / seconds, 1),
      chunks_per_s: round(splits.length / seconds, 1),
      seconds: round(seconds, 2),
      chunks: splits.length,
      sidecar_start_ms: sidecar.startMs,
      chroma_peak_rss_mb: sidecarPeakRss(sidecar.pid),
    };
  } finally {
    await sidecar.stop();
  }
}

/** VmHWM of the sidecar process (Linux), in MiB; -1 where /proc cannot tell. */
function sidecarPeakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? round(Number(match[1]) / 1024, 1) : -1;
  } catch {
    return -1;
  }
}
