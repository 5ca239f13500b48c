import type { EmbeddingModel } from '../../core/models/types.js';
import type { GraphStore } from '../stores/graph/types.js';
import type { StoreScope } from '../stores/types.js';
import { resolveDocumentGraph } from './resolve-entities.js';
import type { ChunkToExtract, GraphExtractor } from './types.js';

/** The knowledge graph as ingestion feeds it: where it is stored, how chunks become entities. */
export interface GraphIndex {
  readonly store: GraphStore;
  readonly extractor: GraphExtractor;
  /** Resolves the embedder that entity resolution compares names with; undefined (or a rejection) means rules only. */
  readonly embedder?: () => Promise<EmbeddingModel | undefined>;
}

/** One document's current chunks, all of them: its graph contribution is rebuilt whole. */
export interface DocumentChunks {
  readonly documentId: string;
  readonly chunks: readonly ChunkToExtract[];
}

/**
 * Extracts and stores the graph of each document, replacing what the document contributed before. A document's
 * old mentions are removed before its names are resolved, so a document resolves against the rest of the
 * knowledge base only: ingesting the same content again gives the same keys, whatever it said in between.
 */
export async function indexDocumentGraphs(
  index: GraphIndex,
  scope: StoreScope,
  documents: readonly DocumentChunks[],
  signal?: AbortSignal,
): Promise<{ readonly chunks: number }> {
  const chunks = documents.flatMap((document) => document.chunks);
  if (documents.length === 0) return { chunks: 0 };
  const extractions = new Map((await index.extractor.extract(chunks, { signal })).map((extraction) => [extraction.chunkId, extraction]));
  const embedder = await index.embedder?.().catch(() => undefined);
  for (const document of documents) {
    signal?.throwIfAborted();
    await index.store.removeDocuments(scope, [document.documentId]);
    const graph = await resolveDocumentGraph({
      scope,
      documentId: document.documentId,
      extractions: document.chunks.flatMap((chunk) => extractions.get(chunk.id) ?? []),
      store: index.store,
      embedder,
      signal,
    });
    await index.store.replaceDocument(scope, graph);
  }
  return { chunks: chunks.length };
}
