import { setTimeout as sleep } from 'node:timers/promises';
import { HumanMessage } from '@langchain/core/messages';
import { MemorySaver } from '@langchain/langgraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import { createScriptedChatModel, type ScriptedResponder } from '../../../core/models/scripted-chat-model.js';
import { RETRIEVAL_ONLY_NOTICE } from '../../../core/models/select-chat-model.js';
import type { RagSearch } from '../../../graphs/rag.js';
import { buildResearchGraph } from '../../../graphs/research.js';
import type { SearchHit } from '../../../rag/search.js';
import { createHelpDeskRuntime } from '../../helpers/help-desk-kb.js';

const config = (thread: string) => ({ configurable: { thread_id: thread, tenantId: 'acme' } });

function hit(chunkId: string, text = `text of ${chunkId}`): SearchHit {
  return {
    chunkId,
    text,
    score: 1,
    why: {},
    citation: { kb: 'kb', documentId: `doc-${chunkId}`, source: `${chunkId}.md`, title: null, start: 0, end: text.length, page: null },
  };
}

/** A search over fixed passages per query that records how many searches overlap in time. */
function stubSearch(byQuery: Record<string, readonly SearchHit[] | Error>, delayMs = 40) {
  const stats = { inFlight: 0, maxInFlight: 0, queries: [] as string[] };
  const search: RagSearch = async ({ query }) => {
    stats.queries.push(query);
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      await sleep(delayMs);
      const found = byQuery[query];
      if (found instanceof Error) throw found;
      return { mode: 'keyword', hits: found ?? [], rerank: 'none' };
    } finally {
      stats.inFlight -= 1;
    }
  };
  return { search, stats };
}

/**
 * One responder for every call: branches run in any order, so each turn is computed from what the model is shown.
 * `branches` maps a sub-question to the branch's answer; `final` writes the synthesis.
 */
function researcher(subQuestions: string[], branches: Record<string, string>, final: string): ScriptedResponder {
  return ({ messages, tools }) => {
    if (tools.some((tool) => tool.function.name === 'plan_research')) {
      return { toolCalls: [{ name: 'plan_research', args: { subQuestions } }] };
    }
    const prompt = messages.at(-1)!.text;
    const branch = Object.keys(branches).find((subQuestion) => prompt.endsWith(`Question: ${subQuestion}`));
    return { text: branch ? branches[branch]! : final };
  };
}

describe('buildResearchGraph', () => {
  it('investigates the sub-questions concurrently', async () => {
    const { search, stats } = stubSearch({ alpha: [hit('a')], beta: [hit('b')], gamma: [hit('c')] }, 80);
    const model = createScriptedChatModel({
      turns: [researcher(['alpha', 'beta', 'gamma'], { alpha: 'A [1]', beta: 'B [1]', gamma: 'C [1]' }, 'All [1][2][3]')],
      loop: true,
    });
    const graph = buildResearchGraph({ search, model }).compile({ checkpointer: new MemorySaver() });

    const result = await graph.invoke({ kb: 'kb', messages: [new HumanMessage('tell me everything')] }, config('r1'));

    // All three searches were in flight at once (a wall-clock bound would flake on a busy machine).
    expect(stats.maxInFlight).toBe(3);
    expect(result.subQuestions).toEqual(['alpha', 'beta', 'gamma']);
    expect(result.citations.map((citation) => [citation.n, citation.chunkId])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });

  it('renumbers branch citations globally and numbers a chunk cited by two branches once', async () => {
    const { search } = stubSearch({ first: [hit('c1'), hit('c2')], second: [hit('c2'), hit('c3'), hit('c4')] });
    const model = createScriptedChatModel({
      // The first branch cites only its passage 1; the second cites c2 (its [1]), c3 ([2]) and a passage it does not have.
      turns: [researcher(['first', 'second'], { first: 'One [1].', second: 'Two [1][2], three [7].' }, 'Merged [1] and [2][3], plus [9].')],
      loop: true,
    });
    const graph = buildResearchGraph({ search, model }).compile({ checkpointer: new MemorySaver() });

    const result = await graph.invoke({ kb: 'kb', messages: [new HumanMessage('both')] }, config('r2'));

    // c1 → [1]; c2 was not cited by the first branch, so it gets [2] from the second; c3 → [3]; c4 was never cited.
    const synthesis = model.calls.at(-1)!.messages.at(-1)!.text;
    expect(synthesis).toContain('<finding n="1" question="first">\nOne [1].\n</finding>');
    expect(synthesis).toContain('<finding n="2" question="second">\nTwo [2][3], three.\n</finding>');
    expect(synthesis).toContain('Sources:\n[1] c1.md\n[2] c2.md\n[3] c3.md\n\n');
    expect(result.answer).toBe('Merged [1] and [2][3], plus [9].');
    expect(result.citations).toEqual([
      expect.objectContaining({ n: 1, chunkId: 'c1', source: 'c1.md', documentId: 'doc-c1' }),
      expect.objectContaining({ n: 2, chunkId: 'c2' }),
      expect.objectContaining({ n: 3, chunkId: 'c3' }),
    ]);
  });

  it('dedups a chunk that two branches both cite', async () => {
    const { search } = stubSearch({ first: [hit('shared'), hit('x')], second: [hit('y'), hit('shared')] });
    const model = createScriptedChatModel({
      turns: [researcher(['first', 'second'], { first: 'F [1][2]', second: 'S [2][1]' }, 'Answer [1][2][3]')],
      loop: true,
    });
    const result = await buildResearchGraph({ search, model })
      .compile({ checkpointer: new MemorySaver() })
      .invoke({ kb: 'kb', messages: [new HumanMessage('q')] }, config('r3'));

    expect(result.citations.map((citation) => citation.chunkId)).toEqual(['shared', 'x', 'y']);
    expect(model.calls.at(-1)!.messages.at(-1)!.text).toContain('S [1][3]');
  });

  it('fails with a coded error naming the sub-question when a branch\'s search throws, without waiting', async () => {
    const { search } = stubSearch({ fine: [hit('a')], broken: new Error('connection reset') }, 20);
    const model = createScriptedChatModel({ turns: [researcher(['fine', 'broken'], { fine: 'ok [1]' }, 'never')], loop: true });
    const graph = buildResearchGraph({ search, model }).compile({ checkpointer: new MemorySaver() });

    const failure = await graph.invoke({ kb: 'kb', messages: [new HumanMessage('q')] }, config('r4')).catch((error: unknown) => error);

    expect(TrellisError.isInstance(failure, 'GRAPH_STEP_FAILED')).toBe(true);
    expect((failure as TrellisError).message).toBe('research branch 2 ("broken") failed: connection reset');
  });

  it('keeps the code of a coded branch failure', async () => {
    const search: RagSearch = async () => {
      throw new TrellisError('KB_NOT_FOUND', 'knowledge base kb not found');
    };
    const failure = await buildResearchGraph({ search })
      .compile({ checkpointer: new MemorySaver() })
      .invoke({ kb: 'kb', messages: [new HumanMessage('q')] }, config('r5'))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'KB_NOT_FOUND', status: 404, message: expect.stringContaining('("q")') });
  });

  it('starts each turn of a thread with no findings from the last', async () => {
    const { search } = stubSearch({ first: [hit('a')], second: [hit('b')] }, 1);
    const graph = buildResearchGraph({ search }).compile({ checkpointer: new MemorySaver() });
    await graph.invoke({ kb: 'kb', messages: [new HumanMessage('first')] }, config('r7'));
    const second = await graph.invoke({ kb: 'kb', messages: [new HumanMessage('second')] }, config('r7'));
    expect(second.findings.map((finding) => finding.question)).toEqual(['second']);
    expect(second.citations.map((citation) => citation.chunkId)).toEqual(['b']);
  });

  it('streams the synthesized answer token by token', async () => {
    const { search } = stubSearch({ alpha: [hit('a')], beta: [hit('b')] }, 1);
    const model = createScriptedChatModel({
      turns: [researcher(['alpha', 'beta'], { alpha: 'A [1]', beta: 'B [1]' }, 'Both are covered [1][2].')],
      loop: true,
    });
    const graph = buildResearchGraph({ search, model }).compile({ checkpointer: new MemorySaver() });

    const stream = await graph.stream({ kb: 'kb', messages: [new HumanMessage('q')] }, { ...config('r6'), streamMode: 'messages' });
    const tokens: string[] = [];
    for await (const [chunk, metadata] of stream) {
      if ((metadata as { langgraph_node: string }).langgraph_node === 'synthesize' && chunk.text) tokens.push(chunk.text);
    }
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe('Both are covered [1][2].');
  });
});

describe('the research graph over a real knowledge base', () => {
  let runtime: Awaited<ReturnType<typeof createHelpDeskRuntime>>;
  beforeAll(async () => {
    runtime = await createHelpDeskRuntime();
  });
  afterAll(async () => {
    await runtime.dispose();
  });
  const search: RagSearch = (request) => runtime.knowledge.search(request);

  it('cites the exact spans of the chunks each branch used', async () => {
    const model = createScriptedChatModel({
      turns: [
        researcher(
          ['how do I reset my password', 'when are invoices sent'],
          { 'how do I reset my password': 'Use Settings, Security [1].', 'when are invoices sent': 'On the first of the month [1].' },
          'Reset it under Settings [1]; invoices come on the first [2].',
        ),
      ],
      loop: true,
    });
    const graph = buildResearchGraph({ search, model }).compile({ checkpointer: new MemorySaver() });

    const result = await graph.invoke({ kb: 'help', messages: [new HumanMessage('password reset and invoices?')] }, config('k1'));

    expect(result.citations.map((citation) => [citation.n, citation.source])).toEqual([[1, 'reset.md'], [2, 'billing.md']]);
    for (const citation of result.citations) {
      const stored = runtime.db.prepare('SELECT text FROM documents WHERE id = ?').pluck().get(citation.documentId) as string;
      expect(stored.slice(citation.start, citation.end)).toBe(citation.text);
      expect(citation.kb).toBe('help');
    }
    expect(result.citations[0]!.text).toContain('reset your password');
    expect(result.citations[1]!.text).toContain('Invoices are sent');
  });

  it('answers with the passages and the notice when there is no chat model', async () => {
    const graph = buildResearchGraph({ search }).compile({ checkpointer: new MemorySaver() });
    const result = await graph.invoke({ kb: 'help', messages: [new HumanMessage('reset my password')] }, config('k2'));
    expect(result.subQuestions).toEqual(['reset my password']);
    expect(result.answer.startsWith(RETRIEVAL_ONLY_NOTICE)).toBe(true);
    expect(result.citations[0]).toMatchObject({ n: 1, source: 'reset.md' });
    expect(result.answer).toContain('[1] reset.md: ');
  });
});
