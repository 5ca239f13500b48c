/**
 * Closed-loop HTTP load with autocannon (programmatic API): `connections` clients each send a request, wait for
 * the answer, send the next, for `seconds`. Latency is taken from every 2xx response at full precision (autocannon's
 * own histogram rounds to whole milliseconds, too coarse for a 10 ms goal).
 */
import { createRequire } from 'node:module';
import { percentile, round } from '../lib/stats.js';

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

export interface LoadOptions {
  /** Base URL of the server, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly seconds: number;
  /**
   * Called once per connection; the function it returns gives that connection's next request each time. Requests
   * that depend on the connection (its own thread) keep their state in this closure.
   */
  readonly requestsFor: () => () => LoadRequest;
}

export interface LoadResult {
  /** Requests answered 2xx. */
  readonly ok: number;
  /** Answers that were not 2xx, by status, and requests that got no answer (`error`). */
  readonly failed: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly rps: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly mean_ms: number;
}

/** The part of autocannon's API used here (it ships no types). */
interface AutocannonClient {
  setRequests(requests: { setupRequest: (request: Record<string, unknown>) => Record<string, unknown> }[]): void;
}
interface AutocannonInstance extends PromiseLike<unknown> {
  on(event: 'response', listener: (client: AutocannonClient, status: number, bytes: number, ms: number) => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export async function measureLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  const started = performance.now();
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    // LangGraph's dev server queues runs; at 64 clients an answer can take seconds, which is a result, not an error.
    timeout: 60,
    headers: { 'content-type': 'application/json', ...options.headers },
    setupClient(client: AutocannonClient) {
      const next = options.requestsFor();
      // autocannon builds each request just before sending it, so this runs once per request, in order.
      client.setRequests([
        {
          setupRequest(request) {
            const chosen = next();
            return { ...request, method: chosen.method, path: chosen.path, ...(chosen.body !== undefined ? { body: chosen.body } : {}) };
          },
        },
      ]);
    },
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
    else failed[String(status)] = (failed[String(status)] ?? 0) + 1;
  });
  instance.on('reqError', () => {
    failed.error = (failed.error ?? 0) + 1;
  });
  await instance;
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ok: latencies.length,
    failed,
    seconds: round(seconds, 2),
    rps: round(latencies.length / seconds, 1),
    p50_ms: round(percentile(latencies, 0.5), 2),
    p99_ms: round(percentile(latencies, 0.99), 2),
    mean_ms: round(latencies.reduce((sum, value) => sum + value, 0) / Math.max(1, latencies.length), 2),
  };
}
