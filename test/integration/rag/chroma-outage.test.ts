import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/logger.js';
import { startChromaSidecar, type ChromaSidecar } from '../../../rag/stores/vector/chroma-sidecar.js';
import { sharedModel } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

// A remote Chroma (here a sidecar the test owns, so it can kill it) that dies and comes back.
describe('searching while Chroma is down', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let chroma: ChromaSidecar;
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  const chromaDir = () => path.join(temp.dir, 'chroma');

  beforeAll(async () => {
    temp = makeTempDir('trellis-outage-');
    writeFileSync(path.join(temp.dir, 'a.txt'), 'Laminar flow over a flat plate becomes turbulent downstream.');
    writeFileSync(path.join(temp.dir, 'b.txt'), 'Propeller slipstream changes the lift distribution of a wing.');
    chroma = await startChromaSidecar({ dataDir: chromaDir(), logger: silentLogger });
    runtime = await createTestRuntime({
      stores: { vector: { provider: 'chroma', url: chroma.url } },
      models: { embedding: { path: sharedModel('glove-6B-100d-60k-onnx') } },
    });
    await runtime.knowledge.ingest({ tenantId: 't', kb: 'k', root: temp.dir, include: ['*.txt'] });
  }, 60_000);
  afterAll(async () => {
    await runtime?.dispose();
    await chroma?.stop();
    temp?.remove();
  });

  it('fails dense and hybrid searches with VECTOR_STORE_UNAVAILABLE and recovers when Chroma is back', async () => {
    const search = (mode: 'dense' | 'hybrid' | 'keyword') =>
      runtime.knowledge.search({ tenantId: 't', kb: 'k', query: 'turbulent flat plate', mode });
    expect((await search('dense')).hits.length).toBe(2);

    process.kill(chroma.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const mode of ['dense', 'hybrid'] as const) {
      await expect(search(mode)).rejects.toSatisfy(
        (error) => TrellisError.isInstance(error, 'VECTOR_STORE_UNAVAILABLE') && error.message.includes(chroma.url),
      );
    }
    // Keyword search does not depend on Chroma at all.
    expect((await search('keyword')).hits[0]?.citation.source).toBe('a.txt');

    chroma = await startChromaSidecar({ dataDir: chromaDir(), port: chroma.port, logger: silentLogger });
    const recovered = await search('hybrid');
    expect(recovered.mode).toBe('hybrid');
    expect(recovered.hits[0]?.citation.source).toBe('a.txt');
  }, 60_000);
});
