import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';

/** The assistant calls the calculator, then answers: a run → node → LLM / tool trace. */
const SCRIPT = [{ toolCalls: [{ name: 'calculator', args: { expression: '6*7' }, id: 'call_calc' }] }, { text: 'It is 42.' }];

describe('the viewer on spans from the tracing pipeline', () => {
  let server: ApiServer;
  let run: { id: string; threadId: string };
  beforeAll(async () => {
    server = await startApiServer({ script: SCRIPT, overrides: { auth: { rateLimitPerMinute: 0 } } });
    const handle = server.runtime.runManager.start('acme', { target: 'assistant', message: 'what is 6*7?', metadata: { user: 'bob' } });
    await handle.done;
    run = { id: handle.run.id, threadId: handle.run.threadId };
    await server.runtime.tracing.flush();
  });
  afterAll(async () => {
    await server.close();
  });

  it("lists the run's trace, shows it as a tree, and scores the same trace with feedback", async () => {
    const listed = (await (await server.request(`/traces?run_id=${run.id}`, { key: server.keys.chat })).json()) as { data: Record<string, unknown>[] };
    expect(listed.data).toHaveLength(1);
    const [trace] = listed.data;
    const runTraceId = server.runtime.db.prepare('SELECT trace_id FROM runs WHERE id = ?').pluck().get(run.id);
    expect(trace).toMatchObject({
      trace_id: runTraceId,
      name: 'run assistant',
      thread_id: run.threadId,
      run_id: run.id,
      user_id: 'bob',
      agent: 'assistant',
      status: 'ok',
      span_count: 7,
      error_count: 0,
      complete: true,
    });
    expect(trace!.input_tokens).toBeGreaterThan(0);

    const tree = (await (await server.request(`/traces/${runTraceId as string}`, { key: server.keys.chat })).json()) as { spans: Record<string, unknown>[] };
    expect(tree.spans.map((span) => `${span.depth} ${span.kind} ${span.name}`)).toEqual([
      '0 run run assistant',
      '1 node node agent',
      '2 llm chat ScriptedChatModel',
      '1 node node tools',
      '2 tool tool calculator',
      '1 node node agent',
      '2 llm chat ScriptedChatModel',
    ]);
    // Children start no earlier than their parents, and siblings come in start order.
    for (const span of tree.spans.slice(1)) {
      const parent = tree.spans.find((candidate) => candidate.span_id === span.parent_span_id)!;
      expect(Date.parse(span.start_time as string)).toBeGreaterThanOrEqual(Date.parse(parent.start_time as string));
    }

    const feedback = await server.request(`/threads/${run.threadId}/feedback`, { method: 'POST', key: server.keys.chat, json: { run_id: run.id, score: 1 } });
    expect(await feedback.json()).toMatchObject({ trace_id: runTraceId, user_id: 'bob' });
    expect((await server.request(`/traces/${runTraceId as string}`, { key: server.keys.otherTenant })).status).toBe(404);
  });
});
