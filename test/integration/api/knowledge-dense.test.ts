import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { sharedModel } from '../../helpers/paths.js';
import { createKnowledgeBase, ingest } from './knowledge-client.js';

describe('knowledge bases over HTTP with vectors (Chroma sidecar, GloVe embedder)', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({
      overrides: { stores: { vector: { provider: 'chroma' } }, models: { embedding: { path: sharedModel('glove-6B-100d-60k-onnx') } } },
    });
    expect((await createKnowledgeBase(server, 'atlas')).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  /** Chunks in SQLite, the keyword index and the vector index, which must always agree. */
  const storeCounts = async () => {
    const kb = server.runtime.knowledge.knowledgeBases.getByName('acme', 'atlas');
    const scope = { tenantId: 'acme', kbId: kb.id };
    return {
      sqlite: server.runtime.knowledge.documents.countChunks(kb.id),
      keyword: await server.runtime.stores.keyword.count(scope),
      vector: await (await server.runtime.stores.vector.get()).count(scope),
    };
  };

  it('writes vectors during ingestion and binds the embedder to the knowledge base', async () => {
    const { job } = await ingest(server, 'atlas', [
      { name: 'rivers.md', content: '# Rivers\n\nThe river flows through the valley toward the sea.\n' },
      { name: 'mountains.txt', content: 'Snow covers the mountain peaks during the long winter.\n' },
    ]);
    expect(job).toMatchObject({ status: 'completed', dense: true, counts: { added: 2 } });
    const kb = await (await server.request('/knowledge-bases/atlas')).json();
    expect(kb).toMatchObject({ embedder: expect.any(String), dimensions: 100, documents: 2 });
    const counts = await storeCounts();
    expect(counts.vector).toBe(counts.sqlite);
    expect(counts.keyword).toBe(counts.sqlite);
  });

  it('runs hybrid search with both indexes and dense search alone', async () => {
    const hybrid = await (await server.request('/knowledge-bases/atlas/search', { method: 'POST', json: { query: 'river valley sea' } })).json();
    expect(hybrid).toMatchObject({ mode: 'hybrid', notice: null });
    expect(hybrid.hits[0]).toMatchObject({ citation: { source: 'rivers.md' }, why: { keyword: { rank: 1 }, dense: { rank: expect.any(Number) } } });
    const dense = await (await server.request('/knowledge-bases/atlas/search', { method: 'POST', json: { query: 'snow winter', mode: 'dense', top_k: 2 } })).json();
    expect(dense.mode).toBe('dense');
    expect(dense.hits.map((hit: { citation: { source: string } }) => hit.citation.source)).toContain('mountains.txt');
    const diverse = await (await server.request('/knowledge-bases/atlas/search', { method: 'POST', json: { query: 'river snow', diversity: 0.3 } })).json();
    expect(diverse).toMatchObject({ mode: 'hybrid', notice: null });
    expect(diverse.hits).toHaveLength(2);
  });

  it('deletes a document from every store, vectors included', async () => {
    const response = await server.request('/knowledge-bases/atlas/documents/rivers.md', { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await storeCounts()).toEqual({ sqlite: 1, keyword: 1, vector: 1 });
    const dense = await (await server.request('/knowledge-bases/atlas/search', { method: 'POST', json: { query: 'river valley sea', mode: 'dense' } })).json();
    expect(dense.hits.map((hit: { citation: { source: string } }) => hit.citation.source)).toEqual(['mountains.txt']);
  });
});
