import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { MemorySaver } from '@langchain/langgraph';
import { describe, expect, it } from 'vitest';
import { createScriptedChatModel, type ScriptedTurn } from '../../../core/models/scripted-chat-model.js';
import { buildPipelineGraph } from '../../../graphs/pipeline.js';

const config = (thread: string) => ({ configurable: { thread_id: thread } });
const planTurn = (steps: string[]): ScriptedTurn => ({ toolCalls: [{ name: 'make_plan', args: { steps } }] });
const reviewTurn = (decision: 'approve' | 'revise', feedback = ''): ScriptedTurn => ({
  toolCalls: [{ name: 'review_draft', args: { decision, feedback } }],
});

describe('buildPipelineGraph', () => {
  it('plans, acts and finishes when the review approves the first draft', async () => {
    const model = createScriptedChatModel({
      turns: [planTurn(['List the changes', 'Write the notes']), { text: 'Release 1.2: faster search.' }, reviewTurn('approve')],
    });
    const graph = buildPipelineGraph({ model }).compile({ checkpointer: new MemorySaver() });

    const result = await graph.invoke({ messages: [new HumanMessage('Release notes for 1.2')] }, config('p1'));

    expect(result).toMatchObject({
      task: 'Release notes for 1.2',
      plan: ['List the changes', 'Write the notes'],
      draft: 'Release 1.2: faster search.',
      verdict: { decision: 'approve', feedback: '' },
      revisions: 0,
      answer: 'Release 1.2: faster search.',
    });
    expect(result.messages.map((message: BaseMessage) => message.getType())).toEqual(['human', 'ai']);
    expect(model.calls[1]!.messages[1]!.text).toBe('Task: Release notes for 1.2\n\nPlan:\n1. List the changes\n2. Write the notes');
    expect(model.calls[2]!.messages[1]!.text).toContain('Draft:\nRelease 1.2: faster search.');
  });

  it('sends the draft back to act once with the reviewer\'s feedback', async () => {
    const model = createScriptedChatModel({
      turns: [
        planTurn(['Write']),
        { text: 'Draft one.' },
        reviewTurn('revise', 'Mention the date.'),
        { text: 'Draft two, 1 May.' },
        reviewTurn('approve'),
      ],
    });
    const result = await buildPipelineGraph({ model })
      .compile({ checkpointer: new MemorySaver() })
      .invoke({ messages: [new HumanMessage('Announce it')] }, config('p2'));

    expect(result.revisions).toBe(1);
    expect(result.answer).toBe('Draft two, 1 May.');
    expect(model.calls[3]!.messages[1]!.text).toContain('Your previous draft:\nDraft one.\n\nThe reviewer asks for these changes:\nMention the date.');
  });

  it('stops revising after maxRevisions and answers with the last draft', async () => {
    const model = createScriptedChatModel({
      turns: [planTurn(['Write']), { text: 'Draft one.' }, reviewTurn('revise', 'Again.'), { text: 'Draft two.' }, reviewTurn('revise', 'Again.')],
    });
    const result = await buildPipelineGraph({ model, steps: { act: 'Write a haiku.' } })
      .compile({ checkpointer: new MemorySaver() })
      .invoke({ messages: [new HumanMessage('A haiku')] }, config('p3'));

    // A third draft would need a sixth model turn, which the script does not have.
    expect(model.calls).toHaveLength(5);
    expect(result.revisions).toBe(1);
    expect(result.verdict).toEqual({ decision: 'revise', feedback: 'Again.' });
    expect(result.answer).toBe('Draft two.');
    expect(model.calls[1]!.messages[0]!.text).toBe('Write a haiku.');
  });

  it('streams the draft token by token and emits the answer once', async () => {
    const model = createScriptedChatModel({ turns: [planTurn(['Write']), { text: 'A streamed final draft.' }, reviewTurn('approve')] });
    const graph = buildPipelineGraph({ model }).compile({ checkpointer: new MemorySaver() });

    const stream = await graph.stream({ messages: [new HumanMessage('go')] }, { ...config('p4'), streamMode: 'messages' });
    const texts: [string, string][] = [];
    for await (const [chunk, metadata] of stream) {
      if (chunk.getType() === 'ai' && chunk.text) texts.push([(metadata as { langgraph_node: string }).langgraph_node, chunk.text]);
    }
    const fromAct = texts.filter(([node]) => node === 'act').map(([, text]) => text);
    expect(fromAct.length).toBeGreaterThan(1);
    expect(fromAct.join('')).toBe('A streamed final draft.');
    // finish writes the same message (same id) to the thread, so it is not streamed a second time.
    expect(texts.filter(([node]) => node === 'finish')).toEqual([]);
  });
});
