import type { Attributes } from '@opentelemetry/api';
import { TrellisError } from '../core/errors.js';
import { ATTR } from '../core/tracing/attributes.js';
import type { Tracing } from '../core/tracing/tracing.js';
import type { IngestCounts } from '../rag/ingest.js';
import type { KnowledgeService } from '../rag/knowledge-service.js';

/**
 * The knowledge service with each ingest traced as a job: one trace named `ingest <kb>` whose root span carries the
 * knowledge base, the source and the counts, with an event per document that failed. Whoever ingests (the CLI, an
 * upload job) is traced alike, and a trace that cannot be made never stops the ingest.
 */
export function traceIngests(knowledge: KnowledgeService, tracing: Tracing, generateId: () => string): KnowledgeService {
  if (!tracing.enabled) return knowledge;
  return {
    ...knowledge,
    async ingest(request) {
      const job = tracing.startJob({
        kind: 'ingest',
        name: `ingest ${request.kb}`,
        tenantId: request.tenantId,
        jobId: generateId(),
        attributes: { [ATTR.ingestKb]: request.kb, [`${ATTR.ingestPrefix}sync`]: request.sync ?? false },
      });
      let files = 0;
      try {
        const summary = await knowledge.ingest({
          ...request,
          onEvent: (event) => {
            if (event.type === 'ingest-listed') files = event.files;
            if (event.type === 'document-error') job.event('document-error', { [`${ATTR.ingestPrefix}path`]: event.path, [ATTR.errorCode]: event.code, 'exception.message': event.message });
            request.onEvent?.(event);
          },
        });
        job.end({ status: 'completed', attributes: { ...countAttributes({ ...summary, files }), [`${ATTR.ingestPrefix}dense`]: summary.dense } });
        return summary;
      } catch (failure) {
        const error = TrellisError.isInstance(failure) ? failure : undefined;
        const cancelled = request.signal?.aborted === true;
        job.end({ status: cancelled ? 'cancelled' : 'failed', error: { code: error?.code ?? 'INTERNAL', message: failure instanceof Error ? failure.message : String(failure) } });
        throw failure;
      }
    },
  };
}

function countAttributes(counts: IngestCounts & { files: number }): Attributes {
  const named = {
    files: counts.files,
    added: counts.added,
    updated: counts.updated,
    unchanged: counts.unchanged,
    deleted: counts.deleted,
    failed: counts.failed,
    chunks_indexed: counts.chunksIndexed,
    chunks_removed: counts.chunksRemoved,
  };
  return Object.fromEntries(Object.entries(named).map(([name, value]) => [`${ATTR.ingestPrefix}${name}`, value]));
}
