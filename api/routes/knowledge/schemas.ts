import { z } from 'zod';
import type { DocumentInfo } from '../../../rag/knowledge/documents.js';
import type { KnowledgeBase } from '../../../rag/knowledge/knowledge-bases.js';
import type { IngestCounts } from '../../../rag/ingest.js';
import { GRAPH_SEARCH_MODES } from '../../../rag/retrieve/graph-search.js';
import type { SearchResult } from '../../../rag/search.js';
import type { IngestFileOutcome, IngestJob, IngestJobEvent } from '../../../runtime/ingest-jobs.js';

/** The wire shapes of knowledge bases, documents, ingest jobs and search, with the mappers that produce them. */

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const Metadata = z.record(z.string(), Scalar);
const ErrorSummary = z.object({ code: z.string(), message: z.string() });

export const KbParams = z.object({ kb: z.string().min(1).describe('The knowledge base name') });

export const KnowledgeBaseSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  embedder: z.string().nullable().describe('The embedding model of its vectors; null while it holds keyword entries only'),
  dimensions: z.number().int().nullable(),
  documents: z.number().int(),
  chunks: z.number().int(),
  created_at: z.string(),
});

export function toKnowledgeBaseWire(kb: KnowledgeBase, counts: { documents: number; chunks: number }): z.infer<typeof KnowledgeBaseSchema> {
  return {
    id: kb.id,
    name: kb.name,
    description: kb.description,
    embedder: kb.embedder,
    dimensions: kb.dimensions,
    documents: counts.documents,
    chunks: counts.chunks,
    created_at: kb.createdAt,
  };
}

export const DocumentSchema = z.object({
  id: z.string().describe('The uploaded file path (`<file>#<record id>` for JSONL and CSV records)'),
  source: z.string(),
  title: z.string().nullable(),
  mime_type: z.string(),
  content_hash: z.string().describe('sha256 of the uploaded bytes: the same file uploaded again is skipped'),
  metadata: Metadata,
  status: z.enum(['indexing', 'ready']),
  chunks: z.number().int(),
  characters: z.number().int(),
  pages: z.number().int().nullable(),
  updated_at: z.string(),
});

export function toDocumentWire(document: DocumentInfo): z.infer<typeof DocumentSchema> {
  return {
    id: document.id,
    source: document.source,
    title: document.title,
    mime_type: document.mimeType,
    content_hash: document.contentHash,
    metadata: { ...document.metadata },
    status: document.status,
    chunks: document.chunks,
    characters: document.characters,
    pages: document.pages,
    updated_at: document.updatedAt,
  };
}

const CountsSchema = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
  failed: z.number().int(),
  chunks_indexed: z.number().int(),
  chunks_removed: z.number().int(),
});

const FileOutcomeSchema = z.object({
  name: z.string(),
  bytes: z.number().int(),
  status: z.enum(['queued', 'added', 'updated', 'unchanged', 'failed']),
  documents: z.number().int().describe('Documents read from the file: one, or one per JSONL/CSV record'),
  error: ErrorSummary.nullable(),
});

export const IngestJobSchema = z.object({
  id: z.string(),
  kb: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  files: z.array(FileOutcomeSchema),
  files_done: z.number().int(),
  files_total: z.number().int(),
  counts: CountsSchema,
  dense: z.boolean().nullable().describe('Whether vectors were written as well as keyword entries; null until the job has run'),
  error: ErrorSummary.extend({ hint: z.string() }).nullable(),
});

function toCountsWire(counts: IngestCounts): z.infer<typeof CountsSchema> {
  return {
    added: counts.added,
    updated: counts.updated,
    unchanged: counts.unchanged,
    deleted: counts.deleted,
    failed: counts.failed,
    chunks_indexed: counts.chunksIndexed,
    chunks_removed: counts.chunksRemoved,
  };
}

function toFileWire(file: IngestFileOutcome): z.infer<typeof FileOutcomeSchema> {
  return { name: file.name, bytes: file.bytes, status: file.status, documents: file.documents, error: file.error };
}

export function toIngestJobWire(job: IngestJob): z.infer<typeof IngestJobSchema> {
  return {
    id: job.id,
    kb: job.kb,
    status: job.status,
    created_at: job.createdAt,
    started_at: job.startedAt,
    finished_at: job.finishedAt,
    files: job.files.map(toFileWire),
    files_done: job.filesDone,
    files_total: job.files.length,
    counts: toCountsWire(job.counts),
    dense: job.dense,
    error: job.error,
  };
}

/** An SSE frame's data: the event in wire shape (the type and seq travel as the frame's `event` and `id`). */
export function toIngestEventWire(event: IngestJobEvent): Record<string, unknown> {
  switch (event.type) {
    case 'ingest-queued':
    case 'ingest-end':
      return { job: toIngestJobWire(event.job) };
    case 'ingest-start':
      return { started_at: event.startedAt };
    case 'ingest-progress':
      return { files_done: event.filesDone, files_total: event.filesTotal, counts: toCountsWire(event.counts), file: toFileWire(event.file) };
  }
}

export const SearchRequestSchema = z.strictObject({
  query: z.string().trim().min(1).max(4000).describe('What to look for, in natural language or keywords'),
  mode: z
    .enum(['keyword', 'dense', 'hybrid', ...GRAPH_SEARCH_MODES])
    .default('hybrid')
    .describe('hybrid falls back to keyword when no embedder is available; graph-* need the knowledge graph (rag.graph.enabled)'),
  top_k: z.number().int().min(1).max(100).optional().describe('How many passages; the server default (rag.topK) when absent'),
  filter: z
    .record(z.string(), z.union([Scalar, z.array(Scalar).min(1)]))
    .optional()
    .describe('Document metadata that must match (`source`, `documentId`, or any metadata field); an array matches any of its values'),
  diversity: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Maximal marginal relevance: 1 keeps the ranking, lower values favour varied passages (needs the embedder)'),
});

const RankSchema = z.object({ rank: z.number().int(), score: z.number() });

const HitSchema = z.object({
  chunk_id: z.string(),
  text: z.string(),
  score: z.number(),
  why: z.object({
    keyword: RankSchema.optional(),
    dense: RankSchema.optional(),
    rerank: RankSchema.optional(),
    graph: RankSchema.extend({
      mode: z.enum(['graph-local', 'graph-multihop', 'graph-global', 'graph-bridge']),
      entities: z.array(z.string()).describe('The entities that led to the passage'),
      community: z.object({ id: z.string(), summary: z.string() }).optional(),
    }).optional(),
  }),
  citation: z.object({
    kb: z.string(),
    document_id: z.string(),
    source: z.string(),
    title: z.string().nullable(),
    start: z.number().int().describe('Character offset of the passage in the stored document text'),
    end: z.number().int(),
    page: z.number().int().nullable(),
  }),
});

export const SearchResponseSchema = z.object({
  mode: z.enum(['keyword', 'dense', 'hybrid', ...GRAPH_SEARCH_MODES]).describe('The mode that ran'),
  rerank: z.string().describe('The reranker that re-ordered the hits, or `none`'),
  notice: z.string().nullable().describe('Why the result is less than what was asked for, when it is'),
  hits: z.array(HitSchema),
});

function graphWire(why: SearchResult['hits'][number]['why']['graph']) {
  return why && { ...why, entities: [...why.entities] };
}

export function toSearchWire(result: SearchResult): z.infer<typeof SearchResponseSchema> {
  const rank = (entry: { rank: number; score: number } | undefined) => entry && { rank: entry.rank, score: entry.score };
  return {
    mode: result.mode,
    rerank: result.rerank,
    notice: result.notice ?? null,
    hits: result.hits.map((hit) => ({
      chunk_id: hit.chunkId,
      text: hit.text,
      score: hit.score,
      why: { keyword: rank(hit.why.keyword), dense: rank(hit.why.dense), rerank: rank(hit.why.rerank), graph: graphWire(hit.why.graph) },
      citation: {
        kb: hit.citation.kb,
        document_id: hit.citation.documentId,
        source: hit.citation.source,
        title: hit.citation.title,
        start: hit.citation.start,
        end: hit.citation.end,
        page: hit.citation.page,
      },
    })),
  };
}
