import { Counter, Gauge, type Registry } from 'prom-client';
import type { SinkStats } from '../../core/tracing/sink-queue.js';
import type { TracingStats } from '../../core/tracing/tracing.js';
import type { ScoreExportStats } from '../../core/tracing/langfuse-scores.js';

/** What the tracing metrics read at each scrape: the runtime's own counts, so nothing is counted twice. */
export interface TracingMetricsSources {
  readonly tracing: () => TracingStats;
  readonly scores: () => ScoreExportStats;
}

/**
 * Spans exported, dropped and queued per sink, and feedback scores sent to Langfuse, failed or dropped: what tells
 * ops that traces or scores are being lost before anyone misses them in Langfuse. Read from the runtime's counters
 * when Prometheus scrapes; counters are set to the runtime's totals (which only grow), so rates stay correct.
 */
export function registerTracingMetrics(registry: Registry, sources: TracingMetricsSources): void {
  const perSink = (pick: (stats: SinkStats) => number) =>
    function (this: Counter<'sink'> | Gauge<'sink'>) {
      this.reset();
      for (const [sink, stats] of Object.entries(sources.tracing().sinks)) {
        if (this instanceof Gauge) this.set({ sink }, pick(stats));
        else this.inc({ sink }, pick(stats));
      }
    };
  const labelNames = ['sink'] as const;
  const registers = [registry];
  new Counter({
    name: 'trellis_trace_spans_exported_total',
    help: 'Spans handed to a tracing sink (local, langfuse, otlp) and accepted by it.',
    labelNames,
    registers,
    collect: perSink((stats) => stats.exported),
  });
  new Counter({
    name: 'trellis_trace_spans_dropped_total',
    help: 'Spans a tracing sink lost: its queue was full, or it refused or could not be reached.',
    labelNames,
    registers,
    collect: perSink((stats) => stats.dropped),
  });
  new Gauge({ name: 'trellis_trace_spans_queued', help: 'Spans waiting to be exported, per sink.', labelNames, registers, collect: perSink((stats) => stats.queued) });
  new Counter({
    name: 'trellis_feedback_scores_total',
    help: 'Feedback scores sent on to Langfuse, by outcome: sent, failed (refused or unreachable) or dropped (too many waiting). Every score is kept locally either way.',
    labelNames: ['outcome'] as const,
    registers,
    collect() {
      this.reset();
      const stats = sources.scores();
      for (const outcome of ['sent', 'failed', 'dropped'] as const) this.inc({ outcome }, stats[outcome]);
    },
  });
}
