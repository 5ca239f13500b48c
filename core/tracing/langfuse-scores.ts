import { LangfuseClient } from '@langfuse/client';
import type { TrellisConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createRedactor, type Redactor } from './redactor.js';

/** A score on a trace, as it leaves the process. */
export interface TraceScore {
  /** Also the score's id in Langfuse, which upserts by id: sending one score twice stores it once. */
  readonly id: string;
  readonly traceId: string;
  readonly name: string;
  readonly value: number;
  readonly comment?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ScoreExportStats {
  readonly sent: number;
  readonly failed: number;
  /** Scores not sent because too many were already waiting for a slow or unreachable sink. */
  readonly dropped: number;
}

/** Where scores go besides the local `feedback` table. Exporting never throws and never waits for the sink. */
export interface ScoreExporter {
  export(score: TraceScore): void;
  /** Settles once every score exported so far has been sent or has failed. */
  flush(): Promise<void>;
  /** Waits up to `graceMs` for scores in flight, then abandons them. */
  shutdown(graceMs: number): Promise<void>;
  stats(): ScoreExportStats;
}

/** No sink configured: scores stay in the local table only. */
export const noopScoreExporter: ScoreExporter = {
  export: () => undefined,
  flush: async () => undefined,
  shutdown: async () => undefined,
  stats: () => ({ sent: 0, failed: 0, dropped: 0 }),
};

export interface LangfuseScoreExporterOptions {
  readonly publicKey: string;
  readonly secretKey: string;
  /** Langfuse's own default (Langfuse Cloud) when absent. */
  readonly baseUrl?: string;
  /** Off: comments (the user's own words) are not sent. */
  readonly includeContent: boolean;
  /** Masking for comments, the same as spans get before they leave the process. */
  readonly redact?: Redactor;
  readonly logger: Logger;
  /** Scores that may wait for the sink at once; more are dropped and counted. */
  readonly maxPending?: number;
  /** Per request; Langfuse's client retries 429 and 5xx answers twice within it. */
  readonly timeoutSeconds?: number;
}

const DEFAULT_MAX_PENDING = 1000;

/**
 * Scores to Langfuse, one `POST /api/public/scores` each (Basic auth with the project keys), through the Langfuse
 * client's API. Its `score.create()` queue is not used: it batches through the ingestion endpoint and swallows
 * failures, where this counts them. A Langfuse that is down or slow costs the caller nothing: the score is queued
 * and the caller goes on; failures are logged and counted, and the local row is the record either way.
 */
export function createLangfuseScoreExporter(options: LangfuseScoreExporterOptions): ScoreExporter {
  const client = new LangfuseClient({ publicKey: options.publicKey, secretKey: options.secretKey, baseUrl: options.baseUrl });
  const maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  const pending = new Set<Promise<void>>();
  const abort = new AbortController();
  const counts = { sent: 0, failed: 0, dropped: 0 };

  async function send(score: TraceScore): Promise<void> {
    const comment = options.includeContent && score.comment !== undefined ? (options.redact ?? String)(score.comment) : undefined;
    try {
      await client.api.scores.create(
        { id: score.id, traceId: score.traceId, name: score.name, value: score.value, dataType: 'NUMERIC', comment, metadata: score.metadata },
        { timeoutInSeconds: options.timeoutSeconds ?? 10, abortSignal: abort.signal },
      );
      counts.sent++;
    } catch (error) {
      counts.failed++;
      options.logger.warn({ err: error, traceId: score.traceId, scoreId: score.id }, 'Langfuse did not take a score; it is kept in the local feedback table');
    }
  }

  return {
    export(score) {
      if (pending.size >= maxPending) {
        counts.dropped++;
        options.logger.warn({ traceId: score.traceId, pending: pending.size }, 'too many scores wait for Langfuse; dropped one (kept locally)');
        return;
      }
      const sending = send(score).finally(() => pending.delete(sending));
      pending.add(sending);
    },
    async flush() {
      await Promise.all(pending);
    },
    async shutdown(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(pending), grace]);
      clearTimeout(timer);
      abort.abort();
      await Promise.all(pending);
    },
    stats: () => ({ ...counts }),
  };
}

/**
 * Langfuse scores when tracing is on and both Langfuse keys are set; otherwise scores stay local. Comments leave the
 * process masked by the same `tracing.redact` rules as spans; the local feedback table keeps them as written.
 */
export function createScoreExporter(tracing: TrellisConfig['tracing'], logger: Logger): ScoreExporter {
  const { langfuse } = tracing;
  if (!tracing.enabled || !langfuse.publicKey || !langfuse.secretKey) return noopScoreExporter;
  return createLangfuseScoreExporter({
    publicKey: langfuse.publicKey,
    secretKey: langfuse.secretKey,
    baseUrl: langfuse.baseUrl,
    includeContent: langfuse.includeContent,
    redact: createRedactor(tracing.redact),
    logger,
  });
}
