import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Runtime } from '../../runtime/create-runtime.js';
import type { RunObserver } from '../../runtime/run-manager.js';
import { metricsRoutes } from '../routes/metrics.js';
import { registerTracingMetrics } from './tracing-metrics.js';

/** Label of requests that matched no route, so that scanners probing random URLs add no label values. */
const UNMATCHED_ROUTE = 'unmatched';
/** Label of runs whose target names no graph or agent: clients choose targets, so they must not mint label values. */
const UNKNOWN_TARGET = 'unknown';
/** The start of every error envelope the API sends (`{"error":{"code":"…"`). */
const ERROR_ENVELOPE = /^\{"error":\{"code":"([A-Z0-9_]+)"/;

let processRegistry: Registry | undefined;

/**
 * CPU, memory, event loop and GC of the process, collected once per process: they describe the process, not an app,
 * and each collection starts its own event-loop and GC observers, which would pile up with every app a test builds.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * Prometheus metrics at /metrics: request latency, requests and errors by route pattern (never the raw URL, whose
 * ids would make label values unbounded), runs started and finished, active runs, streamed tokens, spans and scores
 * exported or lost, and the process's own metrics. Each app has its own registry, so that several apps in one process never share counts.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, options: { runtime: Runtime }) => {
    const { runManager, runs } = options.runtime;
    const registry = new Registry();
    const http = httpMetrics(registry);
    const targetLabel = (target: string) => (runs.targets().includes(target) ? target : UNKNOWN_TARGET);
    const stopObserving = runManager.observe(runMetrics(registry, targetLabel, () => runManager.activeCount));
    registerTracingMetrics(registry, { tracing: () => options.runtime.tracing.stats(), scores: () => options.runtime.feedback.exportStats() });

    app.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode >= 400 && typeof payload === 'string') {
        const code = ERROR_ENVELOPE.exec(payload)?.[1] ?? 'none';
        http.errors.inc({ code, route: request.routeOptions.url ?? UNMATCHED_ROUTE });
      }
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_code: String(reply.statusCode) };
      http.requests.inc(labels);
      http.duration.observe(labels, reply.elapsedTime / 1000);
    });
    app.addHook('onClose', async () => stopObserving());

    await app.register(metricsRoutes, {
      contentType: registry.contentType,
      scrape: async () => (await Promise.all([processMetrics().metrics(), registry.metrics()])).join('\n'),
    });
  },
  { name: 'trellis-metrics' },
);

function httpMetrics(registry: Registry) {
  const labelNames = ['method', 'route', 'status_code'] as const;
  return {
    duration: new Histogram({
      name: 'trellis_http_request_duration_seconds',
      help: 'Time from request received to response sent, by method, route pattern and status (streams until they end).',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    requests: new Counter({
      name: 'trellis_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'trellis_http_errors_total',
      help: 'Error responses by Trellis error code and route pattern (`none`: a 4xx/5xx without the error envelope).',
      labelNames: ['code', 'route'] as const,
      registers: [registry],
    }),
  };
}

function runMetrics(registry: Registry, targetLabel: (target: string) => string, activeCount: () => number): RunObserver {
  const started = new Counter({
    name: 'trellis_runs_started_total',
    help: 'Runs accepted, by target (graph or agent).',
    labelNames: ['target'] as const,
    registers: [registry],
  });
  const finished = new Counter({
    name: 'trellis_runs_finished_total',
    help: 'Runs ended, by target and final status (completed, interrupted, failed, cancelled).',
    labelNames: ['target', 'status'] as const,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'trellis_tokens_streamed_total',
    help: 'Token deltas streamed by runs (one per chunk the model streamed), by target.',
    labelNames: ['target'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'trellis_runs_active',
    help: 'Runs running or queued behind another run on their thread: the queue depth.',
    registers: [registry],
    collect() {
      this.set(activeCount());
    },
  });
  return {
    runStarted: (run) => started.inc({ target: targetLabel(run.target) }),
    runEvent: (run, event) => {
      if (event.type === 'token-delta') tokens.inc({ target: targetLabel(run.target) });
    },
    runFinished: (run) => finished.inc({ target: targetLabel(run.target), status: run.status }),
  };
}
