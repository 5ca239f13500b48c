import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { TrellisError } from '../../core/errors.js';
import type { KnowledgeService } from '../../rag/knowledge-service.js';
import type { SearchMode } from '../../rag/search.js';
import type { EvalDataset, RetrievedPassage } from '../types.js';
import { datasetDocumentId } from './document-id.js';
import type { EvalTarget } from './target.js';

export interface RetrieverTargetOptions {
  readonly knowledge: KnowledgeService;
  readonly tenantId: string;
  readonly mode: SearchMode;
  readonly topK: number;
  /** An existing knowledge base to search; when absent the dataset's corpus is ingested into its own one. */
  readonly kb?: string;
}

const CORPUS_FILE = 'corpus.jsonl';

/**
 * A knowledge base searched through the runtime's knowledge service, as `knowledge_search` and the rag graph do.
 * Without `kb`, `prepare` writes the dataset's corpus as one `corpus.jsonl` (a record per document) and ingests it
 * into the knowledge base `eval-<dataset>-<hash of that file>`, which is kept: every run of the same corpus searches
 * the same index (so runs are comparable, and ingestion is skipped after the first), and a changed corpus gets a new
 * one. `trellis kb delete` removes it. A document is ranked by its best chunk; ids are compared with the dataset's
 * judgments after the `corpus.jsonl#` prefix ingestion gives records.
 */
export function createRetrieverTarget(options: RetrieverTargetOptions): EvalTarget {
  const { knowledge, tenantId } = options;
  let kb = options.kb;
  return {
    description: `retriever ${options.mode} top ${options.topK}${options.kb ? ` kb ${options.kb}` : ''}`,
    async prepare(dataset, signal) {
      if (options.kb) return;
      if (!dataset.corpus) {
        throw new TrellisError('EVAL_SUITE_INVALID', `dataset ${dataset.name} has no corpus to search`, {
          hint: 'Use a retrieval dataset (cranfield, cisi, beir, hotpotqa) with a retriever target, or name an existing `kb`.',
        });
      }
      const dir = await mkdtemp(path.join(tmpdir(), 'trellis-eval-corpus-'));
      try {
        const hash = await writeCorpus(dataset, path.join(dir, CORPUS_FILE));
        kb = `eval-${dataset.name}-${hash.slice(0, 12)}`;
        const summary = await knowledge.ingest({ tenantId, kb, root: dir, include: [CORPUS_FILE], signal });
        if (summary.failed > 0) {
          const first = summary.failures[0]!;
          throw new TrellisError('EVAL_DATASET_INVALID', `the corpus of ${dataset.name} could not be ingested: ${first.code} ${first.message}`);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async run(evalCase, context) {
      const started = performance.now();
      if (!kb) throw new TrellisError('EVAL_TARGET_UNAVAILABLE', 'the retriever target was not prepared with a dataset');
      const result = await knowledge.search({ tenantId, kb, query: evalCase.input, mode: options.mode, topK: options.topK, signal: context.signal });
      const retrieved: RetrievedPassage[] = [];
      const seen = new Set<string>();
      for (const hit of result.hits) {
        const id = datasetDocumentId(hit.citation.documentId);
        if (seen.has(id)) continue;
        seen.add(id);
        retrieved.push({ id, text: hit.text, score: hit.score });
      }
      return { retrieved, latencyMs: performance.now() - started };
    },
    async close() {},
  };
}

/** Streams the corpus to disk a line at a time, waiting on the stream when it is full; returns the file's sha256. */
async function writeCorpus(dataset: EvalDataset, file: string): Promise<string> {
  const out = createWriteStream(file, 'utf8');
  const hash = createHash('sha256');
  try {
    for await (const document of dataset.corpus!()) {
      const line = `${JSON.stringify({ _id: document.id, title: document.title, text: document.text })}\n`;
      hash.update(line);
      if (!out.write(line)) await once(out, 'drain');
    }
    return hash.digest('hex');
  } finally {
    out.end();
    await once(out, 'close');
  }
}
