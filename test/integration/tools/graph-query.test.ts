import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeTool } from '../../../tools/execute-tool.js';
import graphQuery from '../../../tools/graph-query.js';
import { writeGraphCorpus } from '../../helpers/graph-corpus.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';
import { testLimits, toolContext } from '../../helpers/tool-context.js';

describe('graph_query over a real knowledge service', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  beforeAll(async () => {
    runtime = await createTestRuntime({ rag: { graph: { enabled: true } } });
    const corpus = makeTempDir('trellis-graph-tool-');
    try {
      writeGraphCorpus(corpus.dir);
      await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'films', root: corpus.dir });
    } finally {
      corpus.remove();
    }
  });
  afterAll(async () => {
    await runtime.dispose();
  });
  const call = (input: Record<string, unknown>, tenantId = 'acme', defaultKb?: string) =>
    executeTool(graphQuery, input, toolContext({ tenantId, knowledge: runtime.knowledge, defaultKb }), testLimits);

  it('is offered by the runtime when the graph is on', () => {
    expect(runtime.tools.list().map((tool) => tool.name)).toContain('graph_query');
  });

  it('returns the entity, its related entities and relations, and passages about it', async () => {
    const result = await call({ entity: 'ed wood' }, 'acme', 'films');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const output = result.output as {
      kb: string;
      entity: { name: string; aliases: string[] };
      related: { name: string }[];
      relations: { source: string; target: string; type: string }[];
      passages: { source: string }[];
    };
    expect(output.kb).toBe('films');
    expect(output.entity.name).toBe('Edward D. Wood Jr.');
    expect(output.entity.aliases).toContain('Ed Wood');
    expect(output.entity.aliases.some((alias) => alias.startsWith('~'))).toBe(false);
    expect(output.related.map((entity) => entity.name)).toEqual(expect.arrayContaining(['Plan 9 from Outer Space', 'Northwestern Military and Naval Academy']));
    expect(output.relations).toContainEqual(expect.objectContaining({ source: 'Edward D. Wood Jr.', target: 'Northwestern Military and Naval Academy' }));
    expect(output.passages.map((passage) => passage.source)).toEqual(expect.arrayContaining(['people/ed-wood.md', 'films/plan-9.md']));
  });

  it('answers unknown entities, other tenants and a missing knowledge base with coded failures', async () => {
    expect(await call({ entity: 'Stanley Kubrick', kb: 'films' })).toMatchObject({ ok: false, error: { code: 'KNOWLEDGE_GRAPH_ENTITY_NOT_FOUND' } });
    expect(await call({ entity: 'Ed Wood', kb: 'films' }, 'globex')).toMatchObject({ ok: false, error: { code: 'KB_NOT_FOUND' } });
    expect(await call({ entity: 'Ed Wood' })).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID' } });
    expect(await call({ entity: '', kb: 'films' })).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID' } });
    expect(await call({ entity: 'Ed Wood', kb: 'films', depth: 9 })).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID' } });
  });

  it('says the graph is off when the knowledge port has none', async () => {
    const { graph: _graph, ...withoutGraph } = runtime.knowledge;
    const result = await executeTool(graphQuery, { entity: 'Ed Wood', kb: 'films' }, toolContext({ tenantId: 'acme', knowledge: withoutGraph }), testLimits);
    expect(result).toMatchObject({ ok: false, error: { code: 'KNOWLEDGE_GRAPH_DISABLED' } });
  });
});
