import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/**
 * Two Trellis processes on one data dir (the server, and `trellis ingest` run beside it) must not start two Chroma
 * servers on one persist directory: the second uses the first one's sidecar, and starts its own only once the
 * first has stopped it. Two runtimes in one test process stand in for the two processes (the record names the
 * owner's pid, so the owner is told apart by the sidecar's pid, not the process's).
 */
describe('a Chroma sidecar shared by two runtimes on one data dir', () => {
  const temp = makeTempDir('trellis-shared-chroma-');
  afterAll(() => temp.remove());

  const runtimeOn = () => createTestRuntime({ stores: { vector: { provider: 'chroma' } } }, { dataDir: temp.dir });
  const detailOf = async (runtime: Runtime) => (await runtime.readiness()).find((check) => check.name === 'vector store')?.detail ?? '';
  const scope = { tenantId: 'acme', kbId: 'kb-1' };
  const entry = { chunkId: 'c1', embedding: [1, 0, 0], text: 'one', metadata: { documentId: 'd1' } };

  it('lets the second runtime use the first one’s sidecar, and start its own once that one is gone', { timeout: 90_000 }, async () => {
    const owner = await runtimeOn();
    const ownerStore = await owner.stores.vector.get();
    const ownerDetail = await detailOf(owner);
    expect(ownerDetail).toMatch(/^chroma sidecar at /);
    expect(existsSync(path.join(temp.dir, 'chroma', 'trellis-sidecar.json'))).toBe(true);

    // Same process here, so the record's owner must look like another process: rewrite it with our parent's pid.
    const record = path.join(temp.dir, 'chroma', 'trellis-sidecar.json');
    writeFileSync(record, JSON.stringify({ ...JSON.parse(readFileSync(record, 'utf8')), ownerPid: process.ppid }));

    const borrower = await runtimeOn();
    const borrowerStore = await borrower.stores.vector.get();
    expect(await detailOf(borrower)).toBe(ownerDetail.replace('chroma sidecar', 'shared with another Trellis process'));
    // One server: what one writes, the other reads.
    await borrowerStore.upsert(scope, [entry]);
    expect(await ownerStore.count(scope)).toBe(1);

    // The owner stops (its sidecar with it) and removes its record; the borrower starts a sidecar of its own.
    await owner.stop();
    expect(existsSync(record)).toBe(false);
    const restarted = await borrower.stores.vector.get();
    expect(await detailOf(borrower)).toMatch(/^chroma sidecar at /);
    expect(await detailOf(borrower)).not.toBe(ownerDetail);
    expect(await restarted.count(scope)).toBe(1);
    expect(existsSync(record)).toBe(true);
    await borrower.stop();
    expect(existsSync(record)).toBe(false);
  });
});
