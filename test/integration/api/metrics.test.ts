import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { closedPort } from '../../helpers/closed-port.js';

/** The value of one Prometheus sample whose labels are exactly `labels`; 0 when the series does not exist yet. */
function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]));
    if (JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(labels).sort())) return Number(match[3]);
  }
  return 0;
}

describe('GET /metrics', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer({ script: [{ match: 'slow', delayMs: 60_000, text: 'too late' }, { text: 'one two three' }] });
  });
  afterAll(async () => {
    await server.close();
  });

  async function scrape(target: ApiServer = server): Promise<string> {
    const response = await target.request('/metrics');
    expect(response.status).toBe(200);
    return response.text();
  }

  it('needs an admin key and answers in the Prometheus text format', async () => {
    const anonymous = await fetch(`${server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe('AUTH_REQUIRED');
    const chat = await server.request('/metrics', { key: server.keys.chat });
    expect(chat.status).toBe(403);
    expect((await chat.json()).error.code).toBe('AUTH_SCOPE_MISSING');
    const admin = await server.request('/metrics');
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it("includes the process's own metrics", async () => {
    const exposition = await scrape();
    expect(sampleValue(exposition, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(exposition, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(exposition).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('counts requests, latency and errors by route pattern, never by the raw URL', async () => {
    const before = await scrape();
    expect((await server.request('/keys')).status).toBe(200);
    expect((await server.request('/keys/key-id-in-the-url', { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${server.url}/keys`)).status).toBe(401);
    expect((await server.request('/no/such/route-in-the-url')).status).toBe(404);
    const after = await scrape();

    const change = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(change('trellis_http_requests_total', { method: 'GET', route: '/keys', status_code: '200' })).toBe(1);
    expect(change('trellis_http_requests_total', { method: 'DELETE', route: '/keys/:keyId', status_code: '404' })).toBe(1);
    expect(change('trellis_http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(change('trellis_http_request_duration_seconds_count', { method: 'GET', route: '/keys', status_code: '401' })).toBe(1);
    expect(change('trellis_http_request_duration_seconds_sum', { method: 'GET', route: '/keys', status_code: '200' })).toBeGreaterThan(0);
    expect(change('trellis_http_errors_total', { code: 'API_KEY_NOT_FOUND', route: '/keys/:keyId' })).toBe(1);
    expect(change('trellis_http_errors_total', { code: 'AUTH_REQUIRED', route: '/keys' })).toBe(1);
    expect(change('trellis_http_errors_total', { code: 'API_NOT_FOUND', route: 'unmatched' })).toBe(1);
    expect(after).not.toContain('key-id-in-the-url');
    expect(after).not.toContain('route-in-the-url');
  });

  it('counts runs by target and final status, and the tokens they stream', async () => {
    const before = await scrape();
    const handle = server.runtime.runManager.start('acme', { target: 'assistant', message: 'hello' });
    let tokenDeltas = 0;
    for await (const entry of handle.entries()) if (entry.kind === 'event' && entry.event.type === 'token-delta') tokenDeltas++;
    expect((await handle.done).status).toBe('completed');
    const after = await scrape();

    const change = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(tokenDeltas).toBeGreaterThan(0);
    expect(change('trellis_tokens_streamed_total', { target: 'assistant' })).toBe(tokenDeltas);
    expect(change('trellis_runs_started_total', { target: 'assistant' })).toBe(1);
    expect(change('trellis_runs_finished_total', { target: 'assistant', status: 'completed' })).toBe(1);
  });

  it('shows active runs at scrape time', async () => {
    const handle = server.runtime.runManager.start('acme', { target: 'assistant', message: 'slow please' });
    expect(sampleValue(await scrape(), 'trellis_runs_active')).toBe(1);
    await server.runtime.runManager.cancel('acme', handle.run.id);
    const after = await scrape();
    expect(sampleValue(after, 'trellis_runs_active')).toBe(0);
    expect(sampleValue(after, 'trellis_runs_finished_total', { target: 'assistant', status: 'cancelled' })).toBe(1);
  });

  it('labels a run of an unknown target `unknown`, so that clients cannot mint label values', async () => {
    const handle = server.runtime.runManager.start('acme', { target: 'target-chosen-by-a-client', message: 'hello' });
    expect((await handle.done).status).toBe('failed');
    const exposition = await scrape();
    expect(sampleValue(exposition, 'trellis_runs_finished_total', { target: 'unknown', status: 'failed' })).toBe(1);
    expect(exposition).not.toContain('target-chosen-by-a-client');
  });

  it('counts spans exported per sink, and feedback scores Langfuse did not take', async () => {
    const langfuse = { publicKey: 'pk-lf-1', secretKey: 'sk-lf-1', baseUrl: `http://127.0.0.1:${await closedPort()}` };
    const other = await startApiServer({ script: [{ text: 'An answer.' }], overrides: { tracing: { langfuse } } });
    try {
      const handle = other.runtime.runManager.start('acme', { target: 'assistant', message: 'hello' });
      await handle.done;
      await other.runtime.tracing.flush();
      const stored = other.runtime.db.prepare('SELECT COUNT(*) FROM trace_spans').pluck().get() as number;
      const response = await other.request(`/threads/${handle.run.threadId}/feedback`, { method: 'POST', json: { run_id: handle.run.id, score: 1 } });
      expect(response.status).toBe(201);
      await other.runtime.feedback.flush();

      const exposition = await scrape(other);
      expect(stored).toBeGreaterThan(1);
      expect(sampleValue(exposition, 'trellis_trace_spans_exported_total', { sink: 'local' })).toBe(stored);
      expect(sampleValue(exposition, 'trellis_trace_spans_queued', { sink: 'local' })).toBe(0);
      // Langfuse is down: its spans are dropped and its score fails, and both show.
      expect(sampleValue(exposition, 'trellis_trace_spans_dropped_total', { sink: 'langfuse' })).toBe(stored);
      expect(sampleValue(exposition, 'trellis_feedback_scores_total', { outcome: 'failed' })).toBe(1);
      expect(sampleValue(exposition, 'trellis_feedback_scores_total', { outcome: 'sent' })).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('keeps the counts of two apps in one process apart', async () => {
    const other = await startApiServer();
    try {
      const labels = { method: 'GET', route: '/keys', status_code: '200' };
      const before = sampleValue(await scrape(), 'trellis_http_requests_total', labels);
      for (let request = 0; request < 2; request++) expect((await other.request('/keys')).status).toBe(200);
      expect(sampleValue(await scrape(other), 'trellis_http_requests_total', labels)).toBe(2);
      expect(sampleValue(await scrape(), 'trellis_http_requests_total', labels)).toBe(before);
    } finally {
      await other.close();
    }
  });
});
