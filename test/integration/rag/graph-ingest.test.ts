import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import type { GraphStore } from '../../../rag/stores/graph/types.js';
import type { StoreScope } from '../../../rag/stores/types.js';
import { GRAPH_CORPUS, writeGraphCorpus } from '../../helpers/graph-corpus.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

type TestRuntime = Awaited<ReturnType<typeof createTestRuntime>>;

const CHAIN_QUESTION = 'Which school did the director of Plan 9 from Outer Space attend?';
const ED_WOOD_CHANGED =
  '# Edward D. Wood Jr.\n\nEdward D. Wood Jr. was an American filmmaker and actor. He directed films for little money.\n';

/** Everything the graph of a scope holds, without its revision: what "the same graph" means. */
async function fullGraph(store: GraphStore, scope: StoreScope) {
  const { revision: _revision, ...snapshot } = await store.snapshot(scope);
  const ids = snapshot.entities.map((entity) => entity.id);
  return { snapshot, entities: await store.getEntities(scope, ids).then((list) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1))), relations: await store.relationsOf(scope, { entityIds: ids, limit: 10_000 }) };
}

describe('the knowledge graph kept by ingestion (offline extractor, embedded store)', () => {
  let runtime: TestRuntime;
  let corpus: ReturnType<typeof makeTempDir>;
  let scope: StoreScope;
  let store: GraphStore;
  const sourcesOf = async (query: string, mode: 'graph-local' | 'graph-multihop' | 'graph-global' | 'graph-hybrid', topK = 3) =>
    (await runtime.knowledge.search({ tenantId: 'acme', kb: 'films', query, mode, topK })).hits.map((hit) => hit.citation.source);

  beforeAll(async () => {
    corpus = makeTempDir('trellis-graph-corpus-');
    writeGraphCorpus(corpus.dir);
    runtime = await createTestRuntime({ rag: { graph: { enabled: true } } });
    await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'films', root: corpus.dir });
    scope = { tenantId: 'acme', kbId: runtime.knowledge.knowledgeBases.getByName('acme', 'films').id };
    store = runtime.stores.graph!;
  });
  afterAll(async () => {
    await runtime.dispose();
    corpus.remove();
  });

  describe('extraction and resolution', () => {
    it('joins "Ed Wood" and "Edward D. Wood Jr." into one entity supported by both pages', async () => {
      const view = await runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'Ed Wood' });
      expect(view.entity).toMatchObject({ id: 'ed wood', name: 'Edward D. Wood Jr.', aliases: expect.arrayContaining(['Ed Wood', 'Edward D. Wood Jr.']) });
      const sources = runtime.knowledge.documents.chunks(scope.kbId, view.entity.chunkIds).map((chunk) => chunk.source).sort();
      expect(sources).toEqual(['films/plan-9.md', 'people/ed-wood.md']);
      expect((await runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'EDWARD D. WOOD, JR' })).entity.id).toBe('ed wood');
      expect(view.entities.map((entity) => entity.name)).toEqual(expect.arrayContaining(['Plan 9 from Outer Space', 'Northwestern Military and Naval Academy', 'Orson Welles']));
    });

    it('answers an unknown entity with KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND and an unknown knowledge base with KB_NOT_FOUND', async () => {
      await expect(runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'Stanley Kubrick' })).rejects.toMatchObject({ code: 'KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND' });
      await expect(runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: '?!' })).rejects.toMatchObject({ code: 'KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND' });
      await expect(runtime.knowledge.graph({ tenantId: 'acme', kb: 'nope', entity: 'Ed Wood' })).rejects.toMatchObject({ code: 'KB_NOT_FOUND' });
    });

    it('counts what it holds', async () => {
      const stats = await runtime.knowledge.graphStats({ tenantId: 'acme', kb: 'films' });
      expect(stats).toMatchObject({ chunks: Object.keys(GRAPH_CORPUS).length, communities: expect.any(Number) });
      expect(stats.entities).toBeGreaterThan(15);
      expect(stats.topEntities.map((entity) => entity.name)).toContain('Edward D. Wood Jr.');
    });
  });

  describe('retrieval modes', () => {
    it('graph-local finds the page of the entity the query names first, then its neighbours', async () => {
      const sources = await sourcesOf('Who directed Plan 9 from Outer Space?', 'graph-local');
      expect(sources[0]).toBe('films/plan-9.md');
      expect(sources).toContain('people/ed-wood.md');
    });

    it('graph-multihop walks film → director → school, in that order', async () => {
      expect(await sourcesOf(CHAIN_QUESTION, 'graph-multihop')).toEqual(['films/plan-9.md', 'people/ed-wood.md', 'places/academy.md']);
    });

    it('graph-hybrid keeps the whole chain on top', async () => {
      expect((await sourcesOf(CHAIN_QUESTION, 'graph-hybrid')).sort()).toEqual(['films/plan-9.md', 'people/ed-wood.md', 'places/academy.md']);
    });

    it('graph-hybrid puts the bridge passage second and says through which entity it got there', async () => {
      const question = 'Where is the school that the director of Plan 9 from Outer Space attended?';
      const { hits } = await runtime.knowledge.search({ tenantId: 'acme', kb: 'films', query: question, mode: 'graph-hybrid', topK: 3 });
      expect(hits[0]?.citation.source).toBe('films/plan-9.md');
      expect(hits[1]).toMatchObject({ citation: { source: 'people/ed-wood.md' }, why: { graph: { mode: 'graph-bridge', entities: ['Edward D. Wood Jr.'] } } });
      expect(hits[1]!.score).toBeLessThanOrEqual(hits[0]!.score);
      expect(hits[2]!.score).toBeLessThanOrEqual(hits[1]!.score);
    });

    it('graph-global answers a themes question from several communities, each hit with its summary', async () => {
      const result = await runtime.knowledge.search({ tenantId: 'acme', kb: 'films', query: 'What are the main themes?', mode: 'graph-global', topK: 4 });
      const communities = new Set(result.hits.map((hit) => hit.why.graph?.community?.id));
      expect(communities.size).toBeGreaterThanOrEqual(3);
      for (const hit of result.hits) expect(hit.why.graph?.community?.summary).toMatch(/related entities, led by/);
    });

    it('says which entities led to a hit', async () => {
      const [hit] = (await runtime.knowledge.search({ tenantId: 'acme', kb: 'films', query: CHAIN_QUESTION, mode: 'graph-multihop', topK: 1 })).hits;
      expect(hit?.why.graph).toMatchObject({ mode: 'graph-multihop', rank: 1, entities: expect.arrayContaining(['Plan 9 from Outer Space']) });
    });
  });

  describe('incremental updates', () => {
    it('re-ingesting a change and its revert ten times gives back the identical graph', async () => {
      const before = await fullGraph(store, scope);
      const file = path.join(corpus.dir, 'people/ed-wood.md');
      for (let round = 0; round < 10; round += 1) {
        writeFileSync(file, ED_WOOD_CHANGED);
        await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'films', root: corpus.dir });
        writeFileSync(file, GRAPH_CORPUS['people/ed-wood.md']!);
        await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'films', root: corpus.dir });
      }
      expect(await fullGraph(store, scope)).toEqual(before);
      await runtime.knowledge.reindex({ tenantId: 'acme', kb: 'films' });
      expect(await fullGraph(store, scope)).toEqual(before);
    });

    it('a changed document drops what only its old text supported and keeps what other chunks support', async () => {
      writeFileSync(path.join(corpus.dir, 'people/ed-wood.md'), ED_WOOD_CHANGED);
      await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'films', root: corpus.dir });
      await expect(runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'Orson Welles' })).rejects.toMatchObject({ code: 'KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND' });
      const academy = await runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'Northwestern Military and Naval Academy' });
      expect(runtime.knowledge.documents.chunks(scope.kbId, academy.entity.chunkIds).map((chunk) => chunk.source)).toEqual(['places/academy.md']);
      expect(academy.entities.map((entity) => entity.id)).not.toContain('ed wood');
      // Ed Wood is still supported by both pages: the film's and his own (changed) one.
      expect((await runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'Ed Wood' })).entity.chunkIds).toHaveLength(2);
    });

    it('deleting a document removes the entities only it supported', async () => {
      await runtime.knowledge.deleteDocument({ tenantId: 'acme', kb: 'films', documentId: 'places/academy.md' });
      await expect(runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'Northwestern Military and Naval Academy' })).rejects.toMatchObject({ code: 'KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND' });
      const lake = await runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'Lake Geneva' });
      expect(runtime.knowledge.documents.chunks(scope.kbId, lake.entity.chunkIds).map((chunk) => chunk.source)).toEqual(['places/lake-geneva.md']);
    });

    it('a file gone from the folder leaves the graph with a sync ingest', async () => {
      rmSync(path.join(corpus.dir, 'science/shock.md'));
      rmSync(path.join(corpus.dir, 'places/academy.md'));
      await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'films', root: corpus.dir, sync: true });
      await expect(runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'supersonic flow' })).rejects.toMatchObject({ code: 'KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND' });
      const layer = await runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'boundary layer' });
      expect(runtime.knowledge.documents.chunks(scope.kbId, layer.entity.chunkIds).map((chunk) => chunk.source)).toEqual(['science/laminar.md']);
    });
  });

  describe('tenant isolation', () => {
    it('a knowledge base of the same name in another tenant has its own graph, and sees nothing of this one', async () => {
      const other = makeTempDir('trellis-graph-other-');
      try {
        writeGraphCorpus(other.dir, { 'places/lake-geneva.md': GRAPH_CORPUS['places/lake-geneva.md']! });
        await runtime.knowledge.ingest({ tenantId: 'globex', kb: 'films', root: other.dir });
        await expect(runtime.knowledge.graph({ tenantId: 'globex', kb: 'films', entity: 'Ed Wood' })).rejects.toMatchObject({ code: 'KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND' });
        const lake = await runtime.knowledge.graph({ tenantId: 'globex', kb: 'films', entity: 'Lake Geneva' });
        const globexKb = runtime.knowledge.knowledgeBases.getByName('globex', 'films').id;
        expect(runtime.knowledge.documents.chunks(globexKb, lake.entity.chunkIds)).toHaveLength(1);
        for (const mode of ['graph-local', 'graph-multihop', 'graph-global', 'graph-hybrid'] as const) {
          const result = await runtime.knowledge.search({ tenantId: 'globex', kb: 'films', query: 'Ed Wood and Plan 9 from Outer Space', mode, topK: 10 });
          for (const hit of result.hits) expect(hit.citation.source).toBe('places/lake-geneva.md');
        }
        expect((await runtime.knowledge.graphStats({ tenantId: 'globex', kb: 'films' })).chunks).toBe(1);
      } finally {
        other.remove();
      }
    });
  });
});

describe('the knowledge graph switched off', () => {
  let runtime: TestRuntime;
  beforeAll(async () => {
    runtime = await createTestRuntime();
  });
  afterAll(async () => {
    await runtime.dispose();
  });

  it('refuses the graph modes and views with KNOWLEDGE_GRAPH_DISABLED', async () => {
    const corpus = makeTempDir('trellis-graph-off-');
    try {
      writeGraphCorpus(corpus.dir);
      await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'films', root: corpus.dir });
      const failure = await runtime.knowledge.search({ tenantId: 'acme', kb: 'films', query: CHAIN_QUESTION, mode: 'graph-multihop' }).catch((error: unknown) => error);
      expect(TrellisError.isInstance(failure, 'KNOWLEDGE_GRAPH_DISABLED')).toBe(true);
      await expect(runtime.knowledge.graph({ tenantId: 'acme', kb: 'films', entity: 'Ed Wood' })).rejects.toMatchObject({ code: 'KNOWLEDGE_GRAPH_DISABLED' });
      expect(runtime.stores.graph).toBeUndefined();
      expect(runtime.tools.list().map((tool) => tool.name)).not.toContain('graph_query');
    } finally {
      corpus.remove();
    }
  });
});
