import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/logger.js';
import { startChromaSidecar, type ChromaSidecar } from '../../../rag/stores/vector/chroma-sidecar.js';
import { createChromaVectorStore } from '../../../rag/stores/vector/chroma-vector-store.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { describeVectorStoreContract } from './vector-store.contract.js';

// One sidecar for the contract: starting Chroma is cheap (~0.3 s) but this file runs on two cores beside others.
const temp = makeTempDir('trellis-chroma-');
let shared: ChromaSidecar | undefined;

describeVectorStoreContract({
  name: 'Chroma sidecar',
  async create() {
    shared ??= await startChromaSidecar({ dataDir: path.join(temp.dir, 'contract'), logger: silentLogger });
    const store = createChromaVectorStore({ url: shared.url, logger: silentLogger, collectionPrefix: 'contract' });
    return { store, destroy: async () => {} };
  },
});

afterAll(async () => {
  await shared?.stop();
  temp.remove();
});

describe('startChromaSidecar', () => {
  const scope = { tenantId: 'acme', kbId: 'handbook' };
  const entry = { chunkId: 'c1', embedding: [1, 0, 0], text: 'hello', metadata: { lang: 'en' } };

  it('answers its heartbeat on loopback and reports how it started', async () => {
    const sidecar = await startChromaSidecar({ dataDir: path.join(temp.dir, 'heartbeat'), logger: silentLogger });
    try {
      expect(sidecar.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${sidecar.url}/api/v2/heartbeat`);
      expect(response.ok).toBe(true);
      expect(await response.json()).toEqual({ 'nanosecond heartbeat': expect.any(Number) });
      expect(sidecar.startMs).toBeGreaterThan(0);
    } finally {
      await sidecar.stop();
    }
  });

  it('stop() leaves neither the child nor any process it started', async () => {
    const sidecar = await startChromaSidecar({ dataDir: path.join(temp.dir, 'stop'), logger: silentLogger });
    const tree = [sidecar.pid, ...descendantsOf(sidecar.pid)];
    await sidecar.stop();
    await sidecar.stop();
    for (const pid of tree) expect(isAlive(pid), `pid ${pid} still alive`).toBe(false);
    expect(descendantsOf(sidecar.pid)).toEqual([]);
  });

  it('does not outlive a parent that is SIGKILLed', async () => {
    const holder = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures', 'hold-chroma-sidecar.ts'), path.join(temp.dir, 'orphan')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pid = await new Promise<number>((resolve, reject) => {
      let output = '';
      holder.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /sidecar-pid=(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      });
      holder.once('exit', (code) => reject(new Error(`holder exited with ${code}: ${output}`)));
    });
    expect(isAlive(pid)).toBe(true);
    holder.kill('SIGKILL');
    await expect.poll(() => isAlive(pid), { timeout: 5_000, interval: 50 }).toBe(false);
  });

  it('keeps data across a restart on the same path', async () => {
    const dataDir = path.join(temp.dir, 'persist');
    const first = await startChromaSidecar({ dataDir, logger: silentLogger });
    await createChromaVectorStore({ url: first.url, logger: silentLogger }).upsert(scope, [entry]);
    await first.stop();
    const second = await startChromaSidecar({ dataDir, logger: silentLogger });
    try {
      const store = createChromaVectorStore({ url: second.url, logger: silentLogger });
      expect(await store.count(scope)).toBe(1);
      expect((await store.query(scope, { embedding: [1, 0, 0], topK: 1 }))[0]?.chunkId).toBe('c1');
    } finally {
      await second.stop();
    }
  });

  it('fails with VECTOR_STORE_START_FAILED and the output when the port is taken', async () => {
    const dataDir = path.join(temp.dir, 'conflict');
    const holder = await startChromaSidecar({ dataDir: path.join(temp.dir, 'holder'), logger: silentLogger });
    try {
      const error = await startChromaSidecar({ dataDir, port: holder.port, logger: silentLogger }).catch(
        (failure: unknown) => failure,
      );
      expect(TrellisError.isInstance(error, 'VECTOR_STORE_START_FAILED')).toBe(true);
      expect((error as TrellisError).message).toContain(String(holder.port));
    } finally {
      await holder.stop();
    }
  });

  it('a store fails with VECTOR_STORE_UNAVAILABLE while Chroma is down and recovers when it is back', async () => {
    const dataDir = path.join(temp.dir, 'recover');
    const first = await startChromaSidecar({ dataDir, logger: silentLogger });
    const store = createChromaVectorStore({ url: first.url, logger: silentLogger });
    await store.upsert(scope, [entry]);
    process.kill(-first.pid, 'SIGKILL');
    await first.stop();

    const error = await store.query(scope, { embedding: [1, 0, 0], topK: 1 }).catch((failure: unknown) => failure);
    expect(TrellisError.isInstance(error, 'VECTOR_STORE_UNAVAILABLE')).toBe(true);
    expect((error as TrellisError).message).toContain(first.url);

    const second = await startChromaSidecar({ dataDir, port: first.port, logger: silentLogger });
    try {
      expect(second.url).toBe(first.url);
      expect((await store.query(scope, { embedding: [1, 0, 0], topK: 1 }))[0]?.chunkId).toBe('c1');
      await store.upsert(scope, [{ ...entry, chunkId: 'c2' }]);
      expect(await store.count(scope)).toBe(2);
    } finally {
      await second.stop();
    }
  });
});

/** Every process whose parent chain leads to `pid`, read from /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The command name sits in parentheses and may hold spaces; the parent pid is the second field after it.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // The process ended while we read: not a descendant any more.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
