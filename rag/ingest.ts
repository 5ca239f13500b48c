import { TrellisError } from '../core/errors.js';
import { embedMany } from '../core/models/embed-many.js';
import type { EmbeddingModel } from '../core/models/types.js';
import { chunkDocument, type Chunk, type ChunkOptions } from './chunk.js';
import type { Documents } from './knowledge/documents.js';
import type { KnowledgeBase, KnowledgeBases } from './knowledge/knowledge-bases.js';
import type { LoadedDocument } from './loaders/types.js';
import { walkDirectory, type WalkDirectoryOptions } from './loaders/walk-directory.js';
import { toIndexEntry } from './index-entry.js';
import type { KeywordEntry, KeywordStore, StoreScope, VectorStore } from './stores/types.js';

/** The dense half of indexing; absent when no embedder is available (keyword-only knowledge base). */
export interface DenseIndex {
  readonly embedder: EmbeddingModel;
  readonly vectorStore: VectorStore;
}

/** Progress events, named noun-verb like every Trellis event stream. */
export type IngestEvent =
  | { readonly type: 'ingest-start'; readonly kb: string; readonly root: string }
  | { readonly type: 'ingest-progress'; readonly counts: IngestCounts; readonly source: string }
  | { readonly type: 'document-error'; readonly path: string; readonly code: string; readonly message: string }
  | { readonly type: 'ingest-end'; readonly summary: IngestSummary };

export interface IngestCounts {
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deleted: number;
  readonly failed: number;
  readonly chunksIndexed: number;
  readonly chunksRemoved: number;
}

export interface IngestSummary extends IngestCounts {
  readonly kb: string;
  readonly failures: readonly { readonly path: string; readonly code: string; readonly message: string }[];
  readonly dense: boolean;
  readonly seconds: number;
}

export interface IngestDirectoryOptions {
  readonly root: string;
  readonly kb: KnowledgeBase;
  readonly knowledgeBases: KnowledgeBases;
  readonly documents: Documents;
  readonly keywordStore: KeywordStore;
  readonly dense?: DenseIndex;
  readonly chunking: ChunkOptions;
  readonly walk?: WalkDirectoryOptions;
  /** Remove documents that are no longer under `root`. */
  readonly sync?: boolean;
  /** Chunks gathered before the indexes are written; bounds memory. */
  readonly batchChunks?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: IngestEvent) => void;
  readonly now?: () => number;
}

interface PendingDocument {
  readonly id: string;
  readonly entries: readonly KeywordEntry[];
}

/**
 * Brings a knowledge base in line with a folder: new documents are added, changed ones have their chunks replaced,
 * unchanged ones (same content hash, fully indexed) cost nothing, and with `sync` vanished ones are removed — in
 * SQLite and in every index. SQLite is written first and each document stays `indexing` until the indexes hold it,
 * so a run that is killed midway is finished, without duplicates, by the next run over the same folder.
 *
 * A file that fails to load is reported with its own code and skipped; its previously indexed version stays.
 */
export async function ingestDirectory(options: IngestDirectoryOptions): Promise<IngestSummary> {
  const { kb, documents, signal } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const scope: StoreScope = { tenantId: kb.tenantId, kbId: kb.id };
  const batchChunks = options.batchChunks ?? 256;
  const counts = { added: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, chunksIndexed: 0, chunksRemoved: 0 };
  const failures: { path: string; code: string; message: string }[] = [];
  const seen = new Set<string>();
  const keptPrefixes: string[] = [];
  let pending: PendingDocument[] = [];
  let pendingChunks = 0;

  if (options.dense) options.knowledgeBases.bindEmbedder(kb, options.dense.embedder.modelId, options.dense.embedder.dimensions);
  options.onEvent?.({ type: 'ingest-start', kb: kb.name, root: options.root });

  const flush = async () => {
    const indexed = await writeIndexes(options, scope, pending);
    counts.chunksIndexed += indexed.chunksIndexed;
    counts.chunksRemoved += indexed.chunksRemoved;
    documents.markReady(kb.id, pending.map((document) => document.id));
    pending = [];
    pendingChunks = 0;
  };

  for await (const outcome of walkDirectory(options.root, options.walk)) {
    if (signal?.aborted) throw new TrellisError('MODEL_ABORTED', 'ingest was cancelled', { cause: signal.reason });
    if (!outcome.ok) {
      counts.failed += 1;
      // The file is still there, only unreadable now: keep what was indexed from it before.
      keptPrefixes.push(outcome.path);
      const failure = { path: outcome.path, code: outcome.error.code, message: outcome.error.message };
      failures.push(failure);
      options.onEvent?.({ type: 'document-error', ...failure });
      continue;
    }
    const document = outcome.document;
    seen.add(document.id);
    const state = documents.state(kb.id, document.id);
    if (state?.status === 'ready' && state.contentHash === document.contentHash) {
      counts.unchanged += 1;
    } else {
      const chunks = await chunkDocument(document, options.chunking);
      const replaced = documents.replace(kb.id, document, chunks);
      if (replaced.created) counts.added += 1;
      else counts.updated += 1;
      pending.push({ id: document.id, entries: replaced.toIndex.map((chunk) => entryOf(document, chunk)) });
      pendingChunks += replaced.toIndex.length;
      if (pendingChunks >= batchChunks) await flush();
    }
    options.onEvent?.({ type: 'ingest-progress', counts: { ...counts }, source: document.source });
  }

  if (options.sync) {
    for (const id of documents.documentIds(kb.id)) {
      if (seen.has(id) || keptPrefixes.some((prefix) => id === prefix || id.startsWith(`${prefix}#`))) continue;
      documents.remove(kb.id, id);
      counts.deleted += 1;
    }
  }
  await flush();

  const summary: IngestSummary = { ...counts, kb: kb.name, failures, dense: Boolean(options.dense), seconds: (now() - started) / 1000 };
  options.onEvent?.({ type: 'ingest-end', summary });
  return summary;
}

/** Deletes what the tombstones list from every index, then writes the pending chunks to every index. */
async function writeIndexes(
  options: IngestDirectoryOptions,
  scope: StoreScope,
  pending: readonly PendingDocument[],
): Promise<{ chunksIndexed: number; chunksRemoved: number }> {
  const { documents, keywordStore, dense, kb } = options;
  const removed = documents.tombstones(kb.id);
  if (removed.length > 0) {
    await keywordStore.delete(scope, removed);
    await dense?.vectorStore.delete(scope, removed);
    documents.clearTombstones(kb.id, removed);
  }
  const entries = pending.flatMap((document) => document.entries);
  await writeEntries({ scope, entries, keywordStore, dense, signal: options.signal });
  return { chunksIndexed: entries.length, chunksRemoved: removed.length };
}

/** Writes entries to the keyword index and, embedded, to the vector index. Shared by ingest and reindex. */
export async function writeEntries(options: {
  scope: StoreScope;
  entries: readonly KeywordEntry[];
  keywordStore: KeywordStore;
  dense?: DenseIndex;
  signal?: AbortSignal;
}): Promise<void> {
  const { scope, entries, keywordStore, dense, signal } = options;
  if (entries.length === 0) return;
  await keywordStore.upsert(scope, entries);
  if (!dense) return;
  const { embeddings } = await embedMany(dense.embedder, entries.map((entry) => entry.text), { inputType: 'document', signal });
  await dense.vectorStore.upsert(scope, entries.map((entry, index) => ({ ...entry, embedding: embeddings[index]! })));
}

function entryOf(document: LoadedDocument, chunk: Chunk): KeywordEntry {
  return toIndexEntry({
    id: chunk.id,
    documentId: document.id,
    text: chunk.text,
    source: document.source,
    title: document.title,
    documentMetadata: document.metadata,
  });
}
