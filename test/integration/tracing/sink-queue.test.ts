import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.js';
import { SinkQueue } from '../../../core/tracing/sink-queue.js';

describe('a sink queue in front of a collector that stops answering', () => {
  const received: IncomingMessage[] = [];
  // Accepts each export and never answers it: the exporter waits, as it would for a collector that hangs.
  const server = createServer((request) => void received.push(request));
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('holds at most maxQueueSpans while a batch is stuck, and drops and counts the rest', async () => {
    const queue = new SinkQueue({
      name: 'otlp',
      exporter: new OTLPTraceExporter({ url, timeoutMillis: 2000 }),
      finish: () => undefined,
      maxQueueSpans: 100,
      logger: silentLogger,
      batchDelayMs: 60_000,
    });
    const tracer = new BasicTracerProvider({ spanProcessors: [queue] }).getTracer('test');
    for (let index = 0; index < 250; index += 1) tracer.startSpan(`span ${index}`).end();
    // A full batch leaves at once and hangs; the next hundred wait behind it; the last fifty have no room.
    expect(queue.stats()).toEqual({ queued: 100, exported: 0, dropped: 50 });
    await expect.poll(() => received.length).toBe(1);
    // Unanswered, each batch fails at the exporter's timeout, and is counted as dropped too.
    await queue.forceFlush();
    expect(queue.stats()).toMatchObject({ queued: 0, exported: 0 });
    expect(queue.stats().dropped).toBe(250);
    await queue.shutdown();
  });
});
