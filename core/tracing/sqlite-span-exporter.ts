import { SpanStatusCode, type AttributeValue } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { SqliteDatabase } from '../db.js';
import { ATTR } from './attributes.js';

/**
 * The local sink: each batch of ended spans becomes `trace_spans` rows in one transaction (see migrations.ts for
 * the columns). The viewer's filters (tenant, thread, run, agent, status, model, tokens, cost) are columns; every
 * attribute, already redacted, is kept as JSON beside them.
 */
export class SqliteSpanExporter implements SpanExporter {
  private readonly insert;
  private readonly insertBatch;

  constructor(db: SqliteDatabase) {
    // OR REPLACE: a batch the exporter is asked to send again overwrites its rows instead of failing whole.
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO trace_spans (span_id, trace_id, parent_span_id, name, kind, tenant_id, thread_id, run_id, user_id,
         agent, status, status_message, start_ms, end_ms, duration_ms, model, input_tokens, output_tokens, cost_usd, attributes, events)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertBatch = db.transaction((spans: readonly ReadableSpan[]) => {
      for (const span of spans) this.insert.run(...rowOf(span));
    });
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      this.insertBatch(spans);
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const STATUS = { [SpanStatusCode.UNSET]: 'unset', [SpanStatusCode.OK]: 'ok', [SpanStatusCode.ERROR]: 'error' } as const;

function rowOf(span: ReadableSpan): unknown[] {
  const attributes = span.attributes;
  const start = hrTimeToMilliseconds(span.startTime);
  const end = hrTimeToMilliseconds(span.endTime);
  const events = span.events.map((event) => ({ name: event.name, timeMs: hrTimeToMilliseconds(event.time), attributes: event.attributes ?? {} }));
  return [
    span.spanContext().spanId,
    span.spanContext().traceId,
    span.parentSpanContext?.spanId ?? null,
    span.name,
    text(attributes[ATTR.spanKind]) ?? 'other',
    text(attributes[ATTR.tenantId]),
    text(attributes[ATTR.threadId]),
    text(attributes[ATTR.runId]),
    text(attributes[ATTR.userId]),
    text(attributes[ATTR.agent]),
    STATUS[span.status.code],
    span.status.message ?? null,
    start,
    end,
    hrTimeToMilliseconds(span.duration),
    text(attributes[ATTR.genAiResponseModel]) ?? text(attributes[ATTR.genAiRequestModel]),
    integer(attributes[ATTR.genAiInputTokens]),
    integer(attributes[ATTR.genAiOutputTokens]),
    typeof attributes[ATTR.costUsd] === 'number' ? attributes[ATTR.costUsd] : null,
    JSON.stringify(attributes),
    JSON.stringify(events),
  ];
}

function text(value: AttributeValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function integer(value: AttributeValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : null;
}
