/**
 * Chroma sidecar smoke benchmark: start time (spawn → heartbeat), upsert throughput and query latency at ~10k
 * vectors, through Trellis's VectorStore. One JSON line per measurement.
 *
 *   npx tsx bench/chroma-smoke.ts -- [--vectors 10000] [--dim 100] [--batch 500] [--queries 200] [--starts 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../core/logger.js';
import { startChromaSidecar } from '../rag/stores/vector/chroma-sidecar.js';
import { createChromaVectorStore } from '../rag/stores/vector/chroma-vector-store.js';
import type { VectorEntry } from '../rag/stores/types.js';

const option = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const vectors = option('vectors', 10_000);
const dim = option('dim', 100);
const batch = option('batch', 500);
const queries = option('queries', 200);
const starts = option('starts', 3);

// Seeded so runs compare: a tiny LCG is enough for benchmark vectors.
let seed = 42;
const random = () => ((seed = (seed * 1_664_525 + 1_013_904_223) % 2 ** 32) / 2 ** 32) * 2 - 1;
const vector = () => Array.from({ length: dim }, random);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const print = (record: Record<string, unknown>) => console.log(JSON.stringify(record));

const dir = mkdtempSync(path.join(tmpdir(), 'trellis-chroma-bench-'));
try {
  for (let run = 0; run < starts; run += 1) {
    const sidecar = await startChromaSidecar({ dataDir: path.join(dir, `start-${run}`), logger: silentLogger });
    print({ measure: 'chroma.start', run, ms: sidecar.startMs });
    await sidecar.stop();
  }

  const sidecar = await startChromaSidecar({ dataDir: path.join(dir, 'data'), logger: silentLogger });
  try {
    const store = createChromaVectorStore({ url: sidecar.url, logger: silentLogger });
    const scope = { tenantId: 'bench', kbId: 'smoke' };
    const entries: VectorEntry[] = Array.from({ length: vectors }, (_, index) => ({
      chunkId: `c${index}`,
      embedding: vector(),
      text: `chunk ${index}`,
      metadata: { group: index % 10 },
    }));
    const upsertStart = performance.now();
    for (let start = 0; start < entries.length; start += batch) await store.upsert(scope, entries.slice(start, start + batch));
    const upsertMs = performance.now() - upsertStart;
    print({ measure: 'chroma.upsert', vectors, dim, batch, ms: Math.round(upsertMs), vectorsPerS: Math.round(vectors / (upsertMs / 1000)) });

    for (const filtered of [false, true]) {
      const latencies: number[] = [];
      for (let index = 0; index < queries; index += 1) {
        const started = performance.now();
        await store.query(scope, { embedding: vector(), topK: 10, filter: filtered ? { group: [1, 2] } : undefined });
        latencies.push(performance.now() - started);
      }
      latencies.sort((a, b) => a - b);
      const round = (value: number) => Math.round(value * 100) / 100;
      print({ measure: 'chroma.query', filtered, vectors, topK: 10, queries, p50Ms: round(percentile(latencies, 0.5)), p95Ms: round(percentile(latencies, 0.95)) });
    }
  } finally {
    await sidecar.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
