import { AIMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { RunSpans } from '../../../../core/tracing/run-spans.js';
import type { SpanRecord } from '../../../../core/tracing/span-record.js';
import { SpanRecorder } from '../../../../core/tracing/span-recorder.js';

/** A run's spans over a recorder that keeps what it delivers; `tree()` names each span's parent. */
function runSpans() {
  const records: SpanRecord[] = [];
  const recorder = new SpanRecorder({ deliver: (batch) => records.push(...structuredClone(batch)), maxPendingSpans: 1000, onDrop: () => undefined, deliveryDelayMs: 60_000 });
  const root = recorder.start('run assistant', {});
  const spans = new RunSpans({ recorder, root, keepContent: true, prices: { scripted: { inputPerMillionTokens: 1_000_000, outputPerMillionTokens: 2_000_000 } } });
  const tree = () => {
    recorder.deliverNow();
    const latest = new Map(records.map((record) => [record.spanId, record]));
    const names = new Map([...latest.values()].map((record) => [record.spanId, record.name]));
    return [...latest.values()].map((record) => ({ name: record.name, parent: record.parentSpanId ? names.get(record.parentSpanId) : undefined, ended: record.endTime !== undefined }));
  };
  return { spans, root, tree, records };
}

const answer = (text: string) => ({ generations: [[{ text, message: new AIMessage({ content: text, usage_metadata: { input_tokens: 5, output_tokens: 2, total_tokens: 7 } }) }]] });

describe('RunSpans', () => {
  it('opens a node’s span for a model call that comes before the task’s start, and not a second one when the start comes', () => {
    const { spans, tree } = runSpans();
    spans.modelStarted({ callId: 'call-1', taskPath: 'agent:t1', model: { model: 'scripted', system: undefined }, input: [] });
    spans.nodeStarted('agent:t1');
    spans.modelEnded('call-1', answer('ok'));
    spans.nodeEnded('agent:t1');
    expect(tree()).toEqual([
      { name: 'run assistant', parent: undefined, ended: false },
      { name: 'node agent', parent: 'run assistant', ended: true },
      { name: 'chat scripted', parent: 'node agent', ended: true },
    ]);
  });

  it('nests the nodes of a subgraph under the node that runs it, by the task path', () => {
    const { spans, tree } = runSpans();
    spans.nodeStarted('researcher:t1');
    spans.modelStarted({ callId: 'call-1', taskPath: 'researcher:t1|agent:t2', model: { model: 'scripted', system: undefined }, input: [] });
    spans.modelEnded('call-1', answer('found it'));
    spans.nodeEnded('researcher:t1|agent:t2');
    spans.nodeEnded('researcher:t1');
    expect(tree().map(({ name, parent }) => [name, parent])).toEqual([
      ['run assistant', undefined],
      ['node researcher', 'run assistant'],
      ['node agent', 'node researcher'],
      ['chat scripted', 'node agent'],
    ]);
  });

  it('hangs what runs inside a tool call under the tool, and under the node again once the call is over', () => {
    const { spans, tree } = runSpans();
    const tool = spans.start('tool knowledge_search', 'tool', 'tool', {}, spans.parentOf('tools:t1'));
    spans.enter('tools:t1', tool);
    const search = spans.start('retrieve help', 'retrieval', 'retriever', {}, spans.parentOf('tools:t1'));
    spans.succeed(search);
    spans.leave('tools:t1', tool);
    spans.succeed(tool);
    const after = spans.start('tool calculator', 'tool', 'tool', {}, spans.parentOf('tools:t1'));
    spans.succeed(after);
    expect(tree().map(({ name, parent }) => [name, parent])).toEqual([
      ['run assistant', undefined],
      ['node tools', 'run assistant'],
      ['tool knowledge_search', 'node tools'],
      ['retrieve help', 'tool knowledge_search'],
      ['tool calculator', 'node tools'],
    ]);
  });

  it('gives a model call its tokens, cost and answer', () => {
    const { spans, records, tree } = runSpans();
    spans.modelStarted({ callId: 'call-1', taskPath: undefined, model: { model: 'scripted', system: 'openai' }, input: 'Say ok' });
    spans.modelEnded('call-1', answer('ok'));
    spans.finish();
    tree();
    const call = records.find((record) => record.name === 'chat scripted')!;
    expect(call.attributes).toMatchObject({
      'gen_ai.request.model': 'scripted',
      'gen_ai.system': 'openai',
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 2,
      'trellis.cost.usd': 9,
    });
    expect(call.content).toEqual({ 'langfuse.observation.input': 'Say ok', 'langfuse.observation.output': { role: 'assistant', content: 'ok' } });
  });

  it('ends what a run cut off left open, failed with the run’s error', () => {
    const { spans, tree, records } = runSpans();
    spans.nodeStarted('agent:t1');
    spans.modelStarted({ callId: 'call-1', taskPath: 'agent:t1', model: { model: 'scripted', system: undefined }, input: [] });
    spans.finish('run cancelled');
    expect(tree().filter((span) => span.name !== 'run assistant').every((span) => span.ended)).toBe(true);
    const call = records.filter((record) => record.name === 'chat scripted').at(-1)!;
    expect(call.status).toEqual({ code: 2, message: 'run cancelled' });
    // A late end of the cut-off call changes nothing.
    spans.modelEnded('call-1', answer('too late'));
    expect(records.filter((record) => record.name === 'chat scripted')).toHaveLength(1);
  });
});
