/**
 * The behaviour every GraphStore must show, run by each implementation through a name and a `create` (LangGraph's
 * checkpoint-validation style): the embedded SQLite store always, Neo4j when NEO4J_URI is set
 * (test/integration/stores/graph-store-conformance.test.ts).
 *
 * Proposed by the Neo4j work of issue 10 to the embedded store's author: add a case here when the GraphStore
 * contract (rag/stores/graph/types.ts) gains a rule, so that both stores are held to it.
 *
 * Every test uses its own random scopes, so one store serves the whole suite and leftovers never collide.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentGraph, EntityMention, GraphStore, RelationMention } from '../../rag/stores/graph/types.js';
import type { StoreScope } from '../../rag/stores/types.js';

export interface GraphStoreConformanceOptions {
  readonly name: string;
  create(): Promise<{ store: GraphStore; destroy(): Promise<void> }>;
}

/** One mention of entity `key` in `chunkId`; the rest defaults to an ordinary offline mention. */
export function mention(key: string, chunkId: string, overrides: Partial<EntityMention> = {}): EntityMention {
  return { key, name: key, type: 'concept', description: '', aliases: [key], chunkId, weight: 1, ...overrides };
}

export function relation(sourceKey: string, targetKey: string, chunkId: string, overrides: Partial<RelationMention> = {}): RelationMention {
  return { sourceKey, targetKey, type: 'co_occurs', description: '', weight: 1, chunkId, ...overrides };
}

/**
 * A small film corpus, two documents: `films.md` (chunks f1, f2) and `people.md` (p1). Ed Wood is named in f1 and p1
 * under two names; Plan 9 only in f1; Bela Lugosi in f2 and p1; Tim Burton only in p1.
 */
export function filmGraph(): { films: DocumentGraph; people: DocumentGraph } {
  return {
    films: {
      documentId: 'films.md',
      entities: [
        mention('ed wood', 'f1', { name: 'Ed Wood', type: 'person', description: 'Directed Plan 9.', aliases: ['ed wood', 'wood'] }),
        mention('plan 9 from outer space', 'f1', { name: 'Plan 9 from Outer Space', type: 'work', aliases: ['plan 9'] }),
        mention('bela lugosi', 'f2', { name: 'Bela Lugosi', type: 'person', weight: 2 }),
      ],
      relations: [
        relation('ed wood', 'plan 9 from outer space', 'f1', { type: 'directed', description: 'Ed Wood directed it.', weight: 2 }),
        relation('bela lugosi', 'plan 9 from outer space', 'f2', { type: 'acted_in' }),
      ],
    },
    people: {
      documentId: 'people.md',
      entities: [
        mention('ed wood', 'p1', { name: 'Edward D. Wood Jr.', type: 'person', description: 'American filmmaker.', aliases: ['edward d wood jr'] }),
        mention('bela lugosi', 'p1', { name: 'Bela Lugosi', type: 'person' }),
        mention('tim burton', 'p1', { name: 'Tim Burton', type: 'person' }),
      ],
      relations: [
        relation('ed wood', 'bela lugosi', 'p1', { type: 'worked_with', weight: 3 }),
        relation('tim burton', 'ed wood', 'p1', { type: 'made_film_about' }),
      ],
    },
  };
}

export function describeGraphStoreConformance(options: GraphStoreConformanceOptions): void {
  describe(`GraphStore conformance: ${options.name}`, () => {
    let store: GraphStore;
    let destroy: () => Promise<void>;
    // Every scope a test writes to, dropped at the end: a shared server keeps nothing of the run.
    const scopes: StoreScope[] = [];
    const newScope = (tenantId = `t-${randomUUID()}`, kbId = `kb-${randomUUID()}`): StoreScope => {
      const scope = { tenantId, kbId };
      scopes.push(scope);
      return scope;
    };

    beforeAll(async () => {
      ({ store, destroy } = await options.create());
    });
    afterAll(async () => {
      try {
        for (const scope of scopes) await store.drop(scope);
      } finally {
        await destroy?.();
      }
    });

    async function seeded(): Promise<StoreScope> {
      const scope = newScope();
      const { films, people } = filmGraph();
      await store.replaceDocument(scope, films);
      await store.replaceDocument(scope, people);
      return scope;
    }

    describe('entities', () => {
      it('fold their mentions: most frequent name (then the longest), descriptions by chunk, sorted aliases and chunks, summed weight', async () => {
        const scope = await seeded();
        const [edWood] = await store.getEntities(scope, ['ed wood']);
        expect(edWood).toEqual({
          id: 'ed wood',
          // One mention each: the tie goes to the longer name.
          name: 'Edward D. Wood Jr.',
          type: 'person',
          description: 'Directed Plan 9.\nAmerican filmmaker.',
          aliases: ['Ed Wood', 'Edward D. Wood Jr.', 'ed wood', 'edward d wood jr', 'wood'],
          chunkIds: ['f1', 'p1'],
          weight: 2,
        });
      });

      it('findEntities matches keys and aliases, heaviest first, within the limit; getEntities ignores unknown ids', async () => {
        const scope = await seeded();
        expect((await store.findEntities(scope, { keys: ['wood'] })).map((entity) => entity.id)).toEqual(['ed wood']);
        expect((await store.findEntities(scope, { keys: ['plan 9', 'edward d wood jr', 'bela lugosi'] })).map((entity) => entity.id))
          .toEqual(['bela lugosi', 'ed wood', 'plan 9 from outer space']);
        expect(await store.findEntities(scope, { keys: ['bela lugosi', 'ed wood'], limit: 1 })).toHaveLength(1);
        expect(await store.findEntities(scope, { keys: ['nobody'] })).toEqual([]);
        expect(await store.findEntities(scope, { keys: [] })).toEqual([]);
        expect((await store.getEntities(scope, ['tim burton', 'nobody', 'tim burton'])).map((entity) => entity.id)).toEqual(['tim burton']);
      });

      it('keep hostile text verbatim: quotes, Cypher and SQL fragments, and non-Latin names are values, never code', async () => {
        const scope = newScope();
        const hostile = `x') DETACH DELETE n; DROP TABLE rag_graph_entity_mentions; //"'\``;
        await store.replaceDocument(scope, {
          documentId: hostile,
          entities: [mention(hostile, hostile, { name: hostile, description: hostile, aliases: [hostile, 'ålesund 東京'] })],
          relations: [relation(hostile, hostile, hostile, { type: `rel'); MATCH (n) DELETE n //` })],
        });
        const [found] = await store.findEntities(scope, { keys: ['ålesund 東京'] });
        expect(found).toMatchObject({ id: hostile, name: hostile, description: hostile, chunkIds: [hostile] });
        expect((await store.relationsOf(scope, { entityIds: [hostile] }))[0]?.type).toBe(`rel'); MATCH (n) DELETE n //`);
        await store.removeDocuments(scope, [hostile]);
        expect(await store.stats(scope)).toMatchObject({ entities: 0, relations: 0, mentions: 0 });
      });
    });

    describe('relations', () => {
      it('are one per (source, type, target), heaviest first, with summed weight and their chunks', async () => {
        const scope = await seeded();
        const relations = await store.relationsOf(scope, { entityIds: ['ed wood'] });
        expect(relations.map((item) => [item.sourceId, item.type, item.targetId, item.weight])).toEqual([
          ['ed wood', 'worked_with', 'bela lugosi', 3],
          ['ed wood', 'directed', 'plan 9 from outer space', 2],
          ['tim burton', 'made_film_about', 'ed wood', 1],
        ]);
        expect(relations[1]).toMatchObject({ description: 'Ed Wood directed it.', chunkIds: ['f1'], id: expect.any(String) });
        expect(await store.relationsOf(scope, { entityIds: ['ed wood'], limit: 1 })).toHaveLength(1);
      });

      it('give the same relation the same id whichever documents support it', async () => {
        const scope = await seeded();
        const other = newScope();
        await store.replaceDocument(other, { documentId: 'x.md', entities: [mention('ed wood', 'x1'), mention('plan 9 from outer space', 'x1')],
          relations: [relation('ed wood', 'plan 9 from outer space', 'x1', { type: 'directed' })] });
        const idIn = async (target: StoreScope) => (await store.relationsOf(target, { entityIds: ['plan 9 from outer space'] }))
          .find((item) => item.type === 'directed')?.id;
        expect(await idIn(other)).toBe(await idIn(scope));
      });
    });

    describe('provenance under change', () => {
      it('an entity supported by two documents survives losing one, with its remaining chunks, and goes with the last', async () => {
        const scope = await seeded();
        await store.removeDocuments(scope, ['films.md']);
        const [edWood] = await store.getEntities(scope, ['ed wood']);
        expect(edWood).toMatchObject({ name: 'Edward D. Wood Jr.', description: 'American filmmaker.', chunkIds: ['p1'], weight: 1 });
        expect(edWood?.aliases).not.toContain('wood');
        expect(await store.findEntities(scope, { keys: ['wood'] })).toEqual([]);
        expect(await store.getEntities(scope, ['plan 9 from outer space'])).toEqual([]);
        expect((await store.relationsOf(scope, { entityIds: ['plan 9 from outer space'] }))).toEqual([]);
        await store.removeDocuments(scope, ['people.md']);
        expect(await store.getEntities(scope, ['ed wood', 'bela lugosi', 'tim burton'])).toEqual([]);
        expect(await store.stats(scope)).toMatchObject({ entities: 0, relations: 0, mentions: 0, chunks: 0 });
      });

      it('removeChunks drops only what those chunks supported', async () => {
        const scope = await seeded();
        await store.removeChunks(scope, ['f2']);
        expect((await store.getEntities(scope, ['bela lugosi']))[0]).toMatchObject({ chunkIds: ['p1'], weight: 1 });
        expect((await store.relationsOf(scope, { entityIds: ['bela lugosi'] })).map((item) => item.type)).toEqual(['worked_with']);
        await store.removeChunks(scope, ['p1']);
        expect(await store.getEntities(scope, ['bela lugosi', 'tim burton'])).toEqual([]);
        expect((await store.getEntities(scope, ['ed wood']))[0]).toMatchObject({ chunkIds: ['f1'] });
      });

      it('replaceDocument makes the new version the whole contribution of its document', async () => {
        const scope = await seeded();
        await store.replaceDocument(scope, {
          documentId: 'films.md',
          entities: [mention('ed wood', 'f3', { name: 'Ed Wood', type: 'person' }), mention('glen or glenda', 'f3', { type: 'work' })],
          relations: [relation('ed wood', 'glen or glenda', 'f3', { type: 'directed' })],
        });
        expect(await store.getEntities(scope, ['plan 9 from outer space'])).toEqual([]);
        expect((await store.getEntities(scope, ['ed wood']))[0]?.chunkIds).toEqual(['f3', 'p1']);
        expect((await store.getEntities(scope, ['bela lugosi']))[0]?.chunkIds).toEqual(['p1']);
        expect((await store.relationsOf(scope, { entityIds: ['ed wood'] })).map((item) => item.targetId).sort())
          .toEqual(['bela lugosi', 'ed wood', 'glen or glenda']);
      });

      it('re-ingesting the same documents ten times gives the identical graph', async () => {
        const scope = await seeded();
        const before = await store.snapshot(scope);
        const { films, people } = filmGraph();
        for (let round = 0; round < 10; round += 1) {
          await store.replaceDocument(scope, round % 2 === 0 ? films : people);
          await store.replaceDocument(scope, round % 2 === 0 ? people : films);
        }
        const after = await store.snapshot(scope);
        expect(after.revision).toBeGreaterThan(before.revision);
        expect({ ...after, revision: 0 }).toEqual({ ...before, revision: 0 });
        expect(await store.getEntities(scope, ['ed wood'])).toEqual(await store.getEntities(await seeded(), ['ed wood']));
        expect({ ...(await store.stats(scope)), revision: 0 }).toEqual({ entities: 4, relations: 4, mentions: 6, chunks: 3, revision: 0 });
      });

      it('empty removals change nothing', async () => {
        const scope = await seeded();
        const revision = await store.revision(scope);
        await store.removeDocuments(scope, []);
        await store.removeChunks(scope, []);
        await store.removeDocuments(scope, ['never-ingested.md']);
        expect((await store.stats(scope)).entities).toBe(4);
        expect(await store.revision(scope)).toBeGreaterThanOrEqual(revision);
      });
    });

    describe('traversal', () => {
      it('neighbourhood walks depth hops, keeps the given entities, respects the limit and returns relations among the result', async () => {
        const scope = await seeded();
        const ids = async (depth: number, limit?: number) =>
          (await store.neighbourhood(scope, { entityIds: ['plan 9 from outer space'], depth, limit })).entities.map((entity) => entity.id).sort();
        expect(await ids(0)).toEqual(['plan 9 from outer space']);
        expect(await ids(1)).toEqual(['bela lugosi', 'ed wood', 'plan 9 from outer space']);
        expect(await ids(2)).toEqual(['bela lugosi', 'ed wood', 'plan 9 from outer space', 'tim burton']);
        // Heaviest relation first: directed (2) beats acted_in (1).
        expect(await ids(1, 2)).toEqual(['ed wood', 'plan 9 from outer space']);
        const { relations } = await store.neighbourhood(scope, { entityIds: ['plan 9 from outer space'], depth: 1 });
        expect(relations.map((item) => item.type).sort()).toEqual(['acted_in', 'directed', 'worked_with']);
      });

      it('entityChunkEdges sums an entity\'s weight per chunk, for given entities or the whole scope', async () => {
        const scope = newScope();
        await store.replaceDocument(scope, {
          documentId: 'd.md',
          entities: [mention('a', 'c1', { weight: 1 }), mention('a', 'c1', { name: 'A', weight: 0.5 }), mention('a', 'c2'), mention('b', 'c2', { weight: 3 })],
          relations: [],
        });
        const sorted = (edges: readonly { entityId: string; chunkId: string; weight: number }[]) =>
          [...edges].sort((left, right) => `${left.entityId}/${left.chunkId}`.localeCompare(`${right.entityId}/${right.chunkId}`));
        expect(sorted(await store.entityChunkEdges(scope, { entityIds: ['a'] }))).toEqual([
          { entityId: 'a', chunkId: 'c1', weight: 1.5 }, { entityId: 'a', chunkId: 'c2', weight: 1 },
        ]);
        expect(sorted(await store.entityChunkEdges(scope))).toHaveLength(3);
        expect((await store.stats(scope))).toMatchObject({ entities: 2, mentions: 4, chunks: 2 });
      });

      it('snapshot holds every entity, relation and entity–chunk edge of the scope at the current revision', async () => {
        const scope = await seeded();
        const snapshot = await store.snapshot(scope);
        expect(snapshot.revision).toBe(await store.revision(scope));
        expect(snapshot.entities.map((entity) => entity.id).sort()).toEqual(['bela lugosi', 'ed wood', 'plan 9 from outer space', 'tim burton']);
        expect(snapshot.entities.find((entity) => entity.id === 'bela lugosi')).toEqual({ id: 'bela lugosi', name: 'Bela Lugosi', type: 'person', weight: 3 });
        expect(snapshot.relations).toHaveLength(4);
        expect(snapshot.mentions).toHaveLength(6);
      });
    });

    describe('communities', () => {
      it('finds the dense groups, keeps ids stable across unrelated changes, and returns saved summaries', async () => {
        const scope = newScope();
        const clique = (prefix: string, chunkId: string): DocumentGraph => {
          const keys = ['a', 'b', 'c'].map((letter) => `${prefix} ${letter}`);
          return {
            documentId: `${prefix}.md`,
            entities: keys.map((key) => mention(key, chunkId)),
            relations: [relation(keys[0]!, keys[1]!, chunkId), relation(keys[1]!, keys[2]!, chunkId), relation(keys[0]!, keys[2]!, chunkId)],
          };
        };
        await store.replaceDocument(scope, clique('films', 'c1'));
        await store.replaceDocument(scope, clique('physics', 'c2'));
        const communities = await store.communities(scope);
        expect(communities.map((community) => [...community.entityIds].sort())).toEqual(
          expect.arrayContaining([['films a', 'films b', 'films c'], ['physics a', 'physics b', 'physics c']]),
        );
        expect(communities).toHaveLength(2);
        const films = communities.find((community) => community.entityIds.includes('films a'))!;
        expect(films.chunkIds).toEqual(['c1']);
        expect(films.summary).toBeUndefined();
        await store.saveCommunitySummaries(scope, [{ communityId: films.id, summary: 'Films.' }, { communityId: 'gone', summary: 'x' }]);
        await store.replaceDocument(scope, { documentId: 'lone.md', entities: [mention('lone', 'c3')], relations: [] });
        const after = await store.communities(scope);
        expect(after.find((community) => community.id === films.id)?.summary).toBe('Films.');
      });
    });

    describe('scopes', () => {
      it('no call sees another tenant\'s or another knowledge base\'s graph, and drop removes one scope only', async () => {
        const mine = await seeded();
        const otherTenant = newScope(undefined, mine.kbId);
        const otherKb = newScope(mine.tenantId);
        await store.replaceDocument(otherTenant, { documentId: 'films.md', entities: [mention('ed wood', 'z1', { name: 'Someone Else' })], relations: [] });
        for (const scope of [otherTenant, otherKb]) {
          expect(await store.findEntities(scope, { keys: ['wood', 'plan 9', 'edward d wood jr'] })).toEqual([]);
          expect(await store.getEntities(scope, ['plan 9 from outer space', 'tim burton'])).toEqual([]);
          expect(await store.relationsOf(scope, { entityIds: ['ed wood'] })).toEqual([]);
          expect((await store.neighbourhood(scope, { entityIds: ['ed wood'], depth: 2 })).relations).toEqual([]);
          expect(await store.entityChunkEdges(scope, { entityIds: ['bela lugosi'] })).toEqual([]);
          expect(await store.communities(scope)).toEqual([]);
        }
        expect((await store.getEntities(otherTenant, ['ed wood']))[0]).toMatchObject({ name: 'Someone Else', chunkIds: ['z1'] });
        expect((await store.snapshot(otherTenant)).entities).toHaveLength(1);
        expect(await store.stats(otherKb)).toMatchObject({ entities: 0, relations: 0, mentions: 0, chunks: 0 });
        // Removing a document of the same id in another scope leaves this one whole.
        await store.removeDocuments(otherTenant, ['films.md', 'people.md']);
        expect((await store.getEntities(mine, ['ed wood']))[0]?.chunkIds).toEqual(['f1', 'p1']);

        await store.replaceDocument(otherKb, filmGraph().films);
        const revision = await store.revision(mine);
        await store.drop(mine);
        expect(await store.stats(mine)).toMatchObject({ entities: 0, relations: 0, mentions: 0, chunks: 0 });
        expect(await store.revision(mine)).toBeGreaterThan(revision);
        expect((await store.stats(otherKb)).entities).toBe(3);
      });

      it('revision changes with every write to a scope and not with another scope\'s', async () => {
        const scope = newScope();
        const other = newScope();
        expect(await store.revision(scope)).toBe(0);
        await store.replaceDocument(scope, filmGraph().films);
        const first = await store.revision(scope);
        await store.replaceDocument(other, filmGraph().people);
        expect(await store.revision(scope)).toBe(first);
        await store.removeChunks(scope, ['f2']);
        expect(await store.revision(scope)).toBeGreaterThan(first);
      });
    });
  });
}
