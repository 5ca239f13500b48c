import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../graphs/run-events.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('runs through the runtime', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  beforeAll(async () => {
    temp = makeTempDir('trellis-runs-');
    writeFileSync(path.join(temp.dir, 'policy.md'), '# Travel\n\nTrain travel is preferred for trips under 500 km.\n');
    // One scripted model serves the supervisor and its members, in the order they call it.
    writeFileSync(
      path.join(temp.dir, 'script.json'),
      JSON.stringify([
        { toolCalls: [{ name: 'transfer_to_researcher', args: {} }] },
        { toolCalls: [{ name: 'knowledge_search', args: { query: 'train travel distance', kb: 'hr' } }] },
        { text: 'Take the train for trips under 500 km [1].' },
        { text: 'The researcher says: take the train for trips under 500 km.' },
        { toolCalls: [{ name: 'http_fetch', args: { url: 'http://example.com/' } }] },
      ]),
    );
    runtime = await createTestRuntime({
      models: { chat: { provider: 'scripted', scriptPath: path.join(temp.dir, 'script.json') } },
    });
    await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'hr', root: temp.dir, include: ['*.md'] });
  });
  afterAll(async () => {
    await runtime.dispose();
    temp.remove();
  });

  it('runs the supervisor team: a handoff, a member\'s tool call, and the final answer', async () => {
    const events = await collect(runtime.runs.stream({ tenantId: 'acme', target: 'supervisor', message: 'Train or plane for 300 km?' }));
    const tools = events.filter((event) => event.type === 'tool-call').map((event) => (event as { name: string }).name);
    expect(tools).toEqual(expect.arrayContaining(['transfer_to_researcher', 'knowledge_search']));
    const result = events.find((event) => event.type === 'tool-result' && event.name === 'knowledge_search');
    expect(result).toMatchObject({ status: 'success', output: expect.stringContaining('policy.md') });
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', answer: 'The researcher says: take the train for trips under 500 km.' });
    const start = events[0] as { threadId: string };
    expect(runtime.threads.get('acme', start.threadId).target).toBe('supervisor');
  });

  it('refuses a malformed approval before touching the thread, then accepts a valid one', async () => {
    const first = await collect(runtime.runs.stream({ tenantId: 'acme', target: 'assistant', message: 'fetch example.com' }));
    expect(first.at(-1)).toMatchObject({ type: 'run-end', status: 'interrupted' });
    const threadId = (first[0] as { threadId: string }).threadId;
    await expect(collect(runtime.runs.stream({ tenantId: 'acme', threadId, resume: { action: 'maybe' } }))).rejects.toMatchObject({
      code: 'RUN_RESUME_INVALID',
    });
    const rejected = await collect(runtime.runs.stream({ tenantId: 'acme', threadId, resume: { action: 'reject', reason: 'no' } }));
    expect(rejected).toContainEqual(expect.objectContaining({ type: 'tool-result', name: 'http_fetch', status: 'error' }));
  });

  it('keeps threads to their tenant and names unknown targets', async () => {
    const [start] = await collect(runtime.runs.stream({ tenantId: 'acme', target: 'rag', kb: 'hr', message: 'train travel' }));
    const threadId = (start as { threadId: string }).threadId;
    await expect(collect(runtime.runs.stream({ tenantId: 'globex', threadId, message: 'hi' }))).rejects.toMatchObject({ code: 'THREAD_NOT_FOUND' });
    await expect(collect(runtime.runs.stream({ tenantId: 'acme', target: 'nobody', message: 'hi' }))).rejects.toMatchObject({
      code: 'RUN_TARGET_UNKNOWN',
    });
  });
});
