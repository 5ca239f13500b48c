import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../../core/db.js';
import { silentLogger } from '../../../core/logger.js';
import { createScriptedChatModel, type ScriptedCall, type ScriptedTurn } from '../../../core/models/scripted-chat-model.js';
import { indexDocumentGraphs } from '../../../rag/extract/graph-index.js';
import { createLlmExtractor } from '../../../rag/extract/llm-extractor.js';
import { retrieveGraphLocal } from '../../../rag/retrieve/graph-local.js';
import { retrieveGraphMultihop } from '../../../rag/retrieve/graph-multihop.js';
import { ragGraphMigrations } from '../../../rag/stores/graph/sqlite/migrations.js';
import { createSqliteGraphStore } from '../../../rag/stores/graph/sqlite/sqlite-graph-store.js';
import type { GraphStore } from '../../../rag/stores/graph/types.js';

const scope = { tenantId: 'acme', kbId: 'films' };
const chunks = {
  film: { id: 'film-1', title: 'Plan 9 from Outer Space', text: 'Plan 9 from Outer Space is a film directed by Ed Wood.' },
  person: { id: 'person-1', title: 'Edward D. Wood Jr.', text: 'Edward D. Wood Jr. attended the Northwestern Military and Naval Academy.' },
  school: { id: 'school-1', title: 'Northwestern Military and Naval Academy', text: 'The academy is a school in Lake Geneva, Wisconsin.' },
};

const lastText = (call: ScriptedCall) => String(call.messages.at(-1)?.content ?? '');
const extraction = (args: Record<string, unknown>): ScriptedTurn => ({ toolCalls: [{ name: 'extract_graph', args, id: 'call-1' }] });

/** A model that answers each passage with its graph; the film passage is first answered off-schema, once. */
function scriptedExtractor() {
  let filmAttempts = 0;
  const model = createScriptedChatModel({
    loop: true,
    turns: [
      (call): ScriptedTurn => {
        const text = call.messages.map((message) => String(message.content)).join('\n');
        if (text.includes('Plan 9')) {
          filmAttempts += 1;
          if (filmAttempts === 1) return extraction({ entities: [{ name: 'Plan 9 from Outer Space' }], relations: [] });
          return extraction({
            entities: [
              { name: 'Plan 9 from Outer Space', type: 'Work', description: 'A 1957 film.' },
              { name: 'Ed Wood', type: 'Person', description: 'Its director.' },
            ],
            relations: [{ source: 'Ed Wood', target: 'Plan 9 from Outer Space', type: 'directed', description: 'Ed Wood directed it.', weight: 3 }],
          });
        }
        if (text.includes('attended')) {
          return extraction({
            entities: [
              { name: 'Edward D. Wood Jr.', type: 'person', description: 'American filmmaker.' },
              { name: 'Northwestern Military and Naval Academy', type: 'organization', description: 'A school.' },
            ],
            relations: [{ source: 'Edward D. Wood Jr.', target: 'Northwestern Military and Naval Academy', type: 'attended', description: 'He went there.', weight: 2 }],
          });
        }
        // The school passage: never a valid answer, so it falls back to offline extraction.
        return { text: 'I cannot help with that.' };
      },
    ],
  });
  return model;
}

describe('LLM extraction (scripted chat model) into the embedded store', () => {
  let db: SqliteDatabase;
  let store: GraphStore;
  beforeEach(() => {
    db = openDatabase({ file: ':memory:', migrations: ragGraphMigrations }).db;
    store = createSqliteGraphStore({ db });
  });
  afterEach(() => db.close());

  it('retries an off-schema answer once with the validation error, and resolves names across documents', async () => {
    const model = scriptedExtractor();
    const extractor = createLlmExtractor({ model, logger: silentLogger, concurrency: 1 });
    await indexDocumentGraphs({ store, extractor }, scope, [
      { documentId: 'film.md', chunks: [chunks.film] },
      { documentId: 'person.md', chunks: [chunks.person] },
    ]);

    const retry = model.calls.find((call) => lastText(call).includes('did not match the schema'));
    expect(retry).toBeDefined();
    expect(lastText(retry!)).toMatch(/type|description/);
    expect(model.calls[0]!.tools.map((tool) => tool.function.name)).toEqual(['extract_graph']);

    const [edWood] = await store.findEntities(scope, { keys: ['edward d wood'] });
    expect(edWood).toMatchObject({ id: 'ed wood', type: 'person', chunkIds: ['film-1', 'person-1'] });
    expect(edWood!.description).toBe('Its director.\nAmerican filmmaker.');
    const relations = await store.relationsOf(scope, { entityIds: ['ed wood'] });
    expect(relations.map(({ sourceId, type, targetId, weight, chunkIds }) => ({ sourceId, type, targetId, weight, chunkIds }))).toEqual([
      { sourceId: 'ed wood', type: 'directed', targetId: 'plan 9 from outer space', weight: 3, chunkIds: ['film-1'] },
      { sourceId: 'ed wood', type: 'attended', targetId: 'northwestern military and naval academy', weight: 2, chunkIds: ['person-1'] },
    ]);
  });

  it('extracts a chunk offline when the model fails the schema twice, so the chunk keeps its support', async () => {
    const model = scriptedExtractor();
    await indexDocumentGraphs({ store, extractor: createLlmExtractor({ model, logger: silentLogger }) }, scope, [
      { documentId: 'school.md', chunks: [chunks.school] },
    ]);
    expect(model.calls).toHaveLength(2);
    const [academy] = await store.findEntities(scope, { keys: ['northwestern military and naval academy'] });
    expect(academy?.chunkIds).toEqual(['school-1']);
  });

  it('feeds graph-local and graph-multihop: the chain film → director → school', async () => {
    const model = scriptedExtractor();
    await indexDocumentGraphs({ store, extractor: createLlmExtractor({ model, logger: silentLogger }) }, scope, [
      { documentId: 'film.md', chunks: [chunks.film] },
      { documentId: 'person.md', chunks: [chunks.person] },
      { documentId: 'school.md', chunks: [chunks.school] },
    ]);
    const local = await retrieveGraphLocal({ store, scope, query: 'Plan 9 from Outer Space', topK: 3 });
    expect(local[0]?.chunkId).toBe('film-1');
    const walked = await retrieveGraphMultihop({ store, scope, query: 'Where did the director of Plan 9 from Outer Space go to school?', topK: 3 });
    expect(walked.map((hit) => hit.chunkId)).toEqual(['film-1', 'person-1', 'school-1']);
  });
});
