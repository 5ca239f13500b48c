import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TrellisConfig } from '../config.js';
import type { SqliteDatabase } from '../db.js';
import type { Logger } from '../logger.js';
import { SinkQueue } from './sink-queue.js';
import type { SpanFinisher } from './span-finisher.js';
import { SqliteSpanExporter } from './sqlite-span-exporter.js';
import { WithoutContentProcessor } from './without-content.js';

export type TracingSettings = TrellisConfig['tracing'];

export type SinkName = 'local' | 'langfuse' | 'otlp';

/** One configured destination of spans: the processor the tracer provider feeds, and its bounded queue. */
export interface TracingSink {
  readonly name: SinkName;
  readonly processor: SpanProcessor;
  readonly queue: SinkQueue;
  readonly includeContent: boolean;
}

/** Which sinks the settings turn on, and whether each keeps content: what the recording thread needs to know. */
export function configuredSinks(settings: TracingSettings): readonly { readonly name: SinkName; readonly includeContent: boolean }[] {
  if (!settings.enabled) return [];
  const sinks: { name: SinkName; includeContent: boolean }[] = [];
  if (settings.local.enabled) sinks.push({ name: 'local', includeContent: settings.local.includeContent });
  if (settings.langfuse.publicKey && settings.langfuse.secretKey) sinks.push({ name: 'langfuse', includeContent: settings.langfuse.includeContent });
  if (settings.otlp.endpoint) sinks.push({ name: 'otlp', includeContent: settings.otlp.includeContent });
  return sinks;
}

export interface CreateSinksOptions {
  readonly settings: TracingSettings;
  /** The database of the local store; the local sink is left out without one. */
  readonly db: SqliteDatabase | undefined;
  readonly logger: Logger;
  /** Adds run attributes and masks each span before it leaves, for every sink. */
  readonly finisher: SpanFinisher;
  /** Sent to Langfuse as the release. */
  readonly version: string;
}

/** How long one HTTP export may take, retries included, before its batch is dropped (Langfuse's own default). */
const EXPORT_TIMEOUT_MS = 5000;
const LANGFUSE_CLOUD = 'https://cloud.langfuse.com';

/**
 * The sinks the configuration turns on (see `configuredSinks`), in the order they receive spans: local store,
 * Langfuse, OTLP. They run on the span export thread, which loads the Langfuse and OTLP libraries only when a sink
 * needs them.
 */
export async function createSinks(options: CreateSinksOptions): Promise<TracingSink[]> {
  const { settings, logger } = options;
  const timeoutMillis = EXPORT_TIMEOUT_MS;
  const queueOf = (name: SinkName, exporter: ConstructorParameters<typeof SinkQueue>[0]['exporter']) =>
    new SinkQueue({ name, exporter, finish: (span) => options.finisher.finish(span), maxQueueSpans: settings.maxQueueSpans, logger });
  const sinks: TracingSink[] = [];
  if (!settings.enabled) return sinks;

  if (settings.local.enabled && options.db) {
    const queue = queueOf('local', new SqliteSpanExporter(options.db));
    sinks.push(sink('local', queue, queue, settings.local.includeContent));
  }

  const { publicKey, secretKey } = settings.langfuse;
  const langfuse = publicKey && secretKey ? { publicKey, secretKey } : undefined;
  if (!langfuse && !settings.otlp.endpoint) return sinks;
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');

  if (langfuse) {
    const { LangfuseSpanProcessor } = await import('@langfuse/otel');
    const baseUrl = (settings.langfuse.baseUrl ?? LANGFUSE_CLOUD).replace(/\/+$/, '');
    // The same request Langfuse's processor would build, made here so that its batches go through a bounded,
    // counted queue (the processor's own batching has a fixed queue and reports failures to no one).
    const queue = queueOf(
      'langfuse',
      new OTLPTraceExporter({
        url: `${baseUrl}/api/public/otel/v1/traces`,
        headers: {
          Authorization: `Basic ${Buffer.from(`${langfuse.publicKey}:${langfuse.secretKey}`).toString('base64')}`,
          'x-langfuse-public-key': langfuse.publicKey,
        },
        timeoutMillis,
      }),
    );
    const processor = new LangfuseSpanProcessor({
      ...langfuse,
      baseUrl,
      release: options.version,
      // Every span is Trellis's own: the default filter keeps only spans of known LLM instrumentations.
      shouldExportSpan: () => true,
      // Each span is handed on as it ends; the queue batches. Media uploads would bypass the queue, so they are off
      // (spans carry text only).
      exportMode: 'immediate',
      exporter: queue.asExporter(),
      mediaUploadEnabled: false,
    });
    sinks.push(sink('langfuse', processor, queue, settings.langfuse.includeContent));
  }

  if (settings.otlp.endpoint) {
    const queue = queueOf('otlp', new OTLPTraceExporter({ url: settings.otlp.endpoint, headers: { ...settings.otlp.headers }, timeoutMillis }));
    sinks.push(sink('otlp', queue, queue, settings.otlp.includeContent));
  }
  return sinks;
}

function sink(name: SinkName, processor: SpanProcessor, queue: SinkQueue, includeContent: boolean): TracingSink {
  return { name, processor: includeContent ? processor : new WithoutContentProcessor(processor), queue, includeContent };
}
