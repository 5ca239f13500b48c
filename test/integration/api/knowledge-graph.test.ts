import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { writeGraphCorpus } from '../../helpers/graph-corpus.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('GET /knowledge-bases/:kb/graph', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ overrides: { rag: { graph: { enabled: true } } } });
    const corpus = makeTempDir('trellis-graph-api-');
    try {
      writeGraphCorpus(corpus.dir);
      await server.runtime.knowledge.ingest({ tenantId: 'acme', kb: 'films', root: corpus.dir });
    } finally {
      corpus.remove();
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  it('returns the entity a name denotes, the entities around it and their relations, with supporting chunks', async () => {
    const response = await server.request('/knowledge-bases/films/graph?entity=ed%20wood&depth=1', { key: server.keys.chat });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.kb).toBe('films');
    expect(body.entity).toMatchObject({ id: 'ed wood', name: 'Edward D. Wood Jr.', chunk_ids: [expect.any(String), expect.any(String)] });
    expect(body.entity.aliases).toEqual(expect.arrayContaining(['Ed Wood', 'Edward D. Wood Jr.']));
    expect(body.entity.aliases.some((alias: string) => alias.startsWith('~'))).toBe(false);
    expect(body.entities.map((entity: { name: string }) => entity.name)).toEqual(
      expect.arrayContaining(['Plan 9 from Outer Space', 'Northwestern Military and Naval Academy']),
    );
    const ids = new Set(body.entities.map((entity: { id: string }) => entity.id));
    for (const relation of body.relations) {
      expect(ids.has(relation.source_id) && ids.has(relation.target_id)).toBe(true);
      expect(relation.chunk_ids.length).toBeGreaterThan(0);
    }
  });

  it('keeps depth 0 to the entity alone', async () => {
    const body = await (await server.request('/knowledge-bases/films/graph?entity=Plan%209%20from%20Outer%20Space&depth=0', { key: server.keys.chat })).json();
    expect(body.entities.map((entity: { id: string }) => entity.id)).toEqual(['plan 9 from outer space']);
    expect(body.relations).toEqual([]);
  });

  it('reports the size of the graph', async () => {
    const response = await server.request('/knowledge-bases/films/graph/stats', { key: server.keys.chat });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ kb: 'films', chunks: 6, entities: expect.any(Number), top_entities: expect.any(Array) });
  });

  it('answers 404 for an unknown entity, an unknown knowledge base and another tenant’s knowledge base', async () => {
    const cases = [
      { url: '/knowledge-bases/films/graph?entity=Stanley%20Kubrick', key: server.keys.chat, code: 'KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND' },
      { url: '/knowledge-bases/nope/graph?entity=Ed%20Wood', key: server.keys.chat, code: 'KB_NOT_FOUND' },
      { url: '/knowledge-bases/films/graph?entity=Ed%20Wood', key: server.keys.otherTenant, code: 'KB_NOT_FOUND' },
      { url: '/knowledge-bases/films/graph/stats', key: server.keys.otherTenant, code: 'KB_NOT_FOUND' },
    ];
    for (const { url, key, code } of cases) {
      const response = await server.request(url, { key });
      const body = await response.text();
      expect(response.status, url).toBe(404);
      expect(JSON.parse(body).error.code, url).toBe(code);
      expect(body).not.toContain('Plan 9');
    }
  });

  it('refuses malformed queries with 400', async () => {
    for (const query of ['', '?entity=', '?entity=Ed%20Wood&depth=4', '?entity=Ed%20Wood&depth=-1', '?entity=Ed%20Wood&limit=0', `?entity=${'x'.repeat(201)}`]) {
      const response = await server.request(`/knowledge-bases/films/graph${query}`, { key: server.keys.chat });
      expect(response.status, query).toBe(400);
      expect((await response.json()).error.code, query).toBe('API_BODY_INVALID');
    }
  });

  it('needs a key', async () => {
    const response = await fetch(`${server.url}/knowledge-bases/films/graph?entity=Ed%20Wood`);
    expect(response.status).toBe(401);
  });

  it('searches in the graph modes through POST /search', async () => {
    const response = await server.request('/knowledge-bases/films/search', {
      method: 'POST',
      key: server.keys.chat,
      json: { query: 'Which school did the director of Plan 9 from Outer Space attend?', mode: 'graph-multihop', top_k: 3 },
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.mode).toBe('graph-multihop');
    expect(body.hits.map((hit: { citation: { source: string } }) => hit.citation.source)).toEqual(['films/plan-9.md', 'people/ed-wood.md', 'places/academy.md']);
    expect(body.hits[0].why.graph).toMatchObject({ mode: 'graph-multihop', rank: 1, entities: expect.arrayContaining(['Plan 9 from Outer Space']) });
  });
});
