import type { ChunkMetadata, KeywordEntry } from './stores/types.js';

/** The facts of a chunk that go into the indexes, whether written by ingestion or rebuilt by a reindex. */
export interface IndexableChunk {
  readonly id: string;
  readonly documentId: string;
  readonly text: string;
  readonly source: string;
  readonly title: string | null | undefined;
  readonly documentMetadata: ChunkMetadata;
}

/**
 * What both indexes store for a chunk. The title travels with every passage: a chunk from the middle of a
 * document rarely names its subject, and the title is often what a query matches. Metadata carries the
 * document's own fields plus `source` and `documentId`, so filters can use them.
 */
export function toIndexEntry(chunk: IndexableChunk): KeywordEntry {
  return {
    chunkId: chunk.id,
    text: chunk.title ? `${chunk.title}\n${chunk.text}` : chunk.text,
    metadata: { ...chunk.documentMetadata, source: chunk.source, documentId: chunk.documentId },
  };
}
