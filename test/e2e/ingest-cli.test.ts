import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, startCommand } from '../helpers/cli-process.js';
import { sharedDir, sharedModel } from '../helpers/paths.js';
import { processesMentioning } from '../helpers/processes.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Cranfield abstracts as one text file each: a real corpus big enough to interrupt midway. */
function writeCranfieldFiles(dir: string, count: number): void {
  const raw = readFileSync(path.join(sharedDir, 'datasets', 'cranfield', 'cran.all.1400'), 'utf8');
  const records = raw.split(/^\.I /m).slice(1, count + 1);
  mkdirSync(dir, { recursive: true });
  records.forEach((record, index) => {
    const text = record.replace(/^\d+\s*/, '').replace(/^\.[TABW]\s*$/gm, '').trim();
    writeFileSync(path.join(dir, `cran-${String(index + 1).padStart(4, '0')}.txt`), `${text}\n`);
  });
}


function chunkCounts(dataDir: string): { chunks: number; keyword: number; documents: number } {
  const db = new Database(path.join(dataDir, 'trellis.db'), { readonly: true });
  try {
    const one = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      chunks: one('SELECT count(*) FROM chunks'),
      keyword: one('SELECT count(*) FROM rag_keyword_chunks'),
      documents: one('SELECT count(*) FROM documents'),
    };
  } finally {
    db.close();
  }
}

describe('trellis ingest / search / kb from the command line', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let corpus: string;
  beforeAll(() => {
    temp = makeTempDir('trellis-cli-ingest-');
    corpus = path.join(temp.dir, 'corpus');
    writeCranfieldFiles(corpus, 400);
  });
  afterAll(() => temp.remove());

  const env = (dataDir: string) =>
    cleanEnv({
      TRELLIS_DATA_DIR: dataDir,
      TRELLIS_CACHE_DIR: path.join(temp.dir, 'cache'),
      TRELLIS_EMBEDDING_PATH: sharedModel('glove-6B-100d-60k-onnx'),
      TRELLIS_THREADS: '1',
    });
  const run = async (args: string[], dataDir: string) => {
    const command = startCommand('node', ['bin/trellis.js', ...args], env(dataDir));
    const { code } = await command.exited;
    return { code, output: command.output() };
  };

  it('an ingest killed midway finishes on the next run with no duplicates and no orphan sidecar', async () => {
    const dataDir = path.join(temp.dir, 'interrupted');
    const first = startCommand('node', ['bin/trellis.js', 'ingest', corpus, '--kb', 'cran'], env(dataDir));
    // Wait until some documents are stored but the run is not over, then kill it the hard way.
    for (let waited = 0; ; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      let documents = 0;
      try {
        documents = chunkCounts(dataDir).documents;
      } catch {
        // The database or its tables do not exist yet.
      }
      if (documents > 0) break;
      if (waited > 60_000) throw new Error(`ingest never started:\n${first.output()}`);
    }
    process.kill(-first.child.pid!, 'SIGKILL');
    await first.exited;
    const partial = chunkCounts(dataDir).documents;
    expect(partial).toBeLessThan(400);
    // The sidecar notices its parent is gone and exits on its own.
    for (let waited = 0; processesMentioning(dataDir).length > 0 && waited < 10_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(processesMentioning(dataDir)).toEqual([]);

    const resumed = await run(['ingest', corpus, '--kb', 'cran', '--json'], dataDir);
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.output.trim().split('\n').at(-1)!);
    expect(summary.added + summary.updated + summary.unchanged).toBe(400);
    expect(summary.dense).toBe(true);

    const clean = await run(['ingest', corpus, '--kb', 'cran', '--json'], path.join(temp.dir, 'clean'));
    expect(clean.code).toBe(0);
    const expected = chunkCounts(path.join(temp.dir, 'clean'));
    expect(chunkCounts(dataDir)).toEqual(expected);
    expect(expected.keyword).toBe(expected.chunks);

    const listed = await run(['kb', 'list'], dataDir);
    expect(listed.output).toContain(`cran\t400 documents\t${expected.chunks} chunks\tglove-6B-100d-60k-onnx (100 dims)`);
  }, 240_000);

  it('searches from the command line with citations, in each mode', async () => {
    const dataDir = path.join(temp.dir, 'clean');
    for (const mode of ['keyword', 'dense', 'hybrid']) {
      const result = await run(['search', 'boundary layer transition on a flat plate', '--kb', 'cran', '--mode', mode, '-k', '3', '--json'], dataDir);
      expect(result.code).toBe(0);
      const parsed = JSON.parse(result.output.trim().split('\n').at(-1)!);
      expect(parsed.mode).toBe(mode);
      expect(parsed.hits).toHaveLength(3);
      expect(parsed.hits[0].citation).toMatchObject({ kb: 'cran', source: expect.stringMatching(/^cran-\d{4}\.txt$/) });
    }
    const readable = await run(['search', 'shock wave', '--kb', 'cran', '-k', '2'], dataDir);
    expect(readable.output).toMatch(/^1\. cran-\d{4}\.txt \[\d+-\d+\] {2}score/m);
  }, 120_000);

  it('reports an unknown knowledge base with its code and the ones that exist', async () => {
    const result = await run(['search', 'anything', '--kb', 'nope'], path.join(temp.dir, 'clean'));
    expect(result.code).toBe(1);
    expect(result.output).toContain('error KB_NOT_FOUND: knowledge base nope not found; available: cran');
  });
});
