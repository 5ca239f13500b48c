import { TrellisError } from '../core/errors.js';
import { embedMany } from '../core/models/embed-many.js';
import type { EmbeddingModel } from '../core/models/types.js';
import { chunkDocument, type Chunk, type ChunkOptions } from './chunk.js';
import type { Documents } from './knowledge/documents.js';
import type { KnowledgeBase, KnowledgeBases } from './knowledge/knowledge-bases.js';
import type { LoadedDocument } from './loaders/types.js';
import { walkDirectory, type WalkDirectoryOptions } from './loaders/walk-directory.js';
import { toIndexEntry } from './index-entry.js';
import { indexDocumentGraphs, type GraphIndex } from './extract/graph-index.js';
import type { KeywordEntry, KeywordStore, StoreScope, VectorStore } from './stores/types.js';

/** The dense half of indexing; absent when no embedder is available (keyword-only knowledge base). */
export interface DenseIndex {
  readonly embedder: EmbeddingModel;
  readonly vectorStore: VectorStore;
}

/** Progress events, named noun-verb like every Trellis event stream. */
export type IngestEvent =
  | { readonly type: 'ingest-start'; readonly kb: string; readonly root: string }
  | { readonly type: 'ingest-listed'; readonly files: number }
  | { readonly type: 'ingest-progress'; readonly counts: IngestCounts; readonly filesDone: number; readonly source: string }
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
  /** The knowledge graph, kept in step with the chunks in the first lane; absent when the graph is off. */
  readonly graph?: GraphIndex;
  readonly chunking: ChunkOptions;
  readonly walk?: WalkDirectoryOptions;
  /** Remove documents that are no longer under `root`. */
  readonly sync?: boolean;
  /**
   * Chunks gathered before the indexes are written; bounds memory (at most about two batches are held: one
   * being written to the vector index while the next is gathered and embedded). Default 512.
   */
  readonly batchChunks?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: IngestEvent) => void;
  readonly now?: () => number;
}

interface PendingDocument {
  readonly document: LoadedDocument;
  readonly chunks: readonly Chunk[];
}

/** A batch whose chunks are in SQLite and the keyword index, on its way into the vector index. */
interface PreparedBatch {
  readonly documentIds: readonly string[];
  readonly removed: readonly string[];
  readonly entries: readonly KeywordEntry[];
  /** Ids among `entries` new to SQLite, which the vector index can add without replacing. */
  readonly added: ReadonlySet<string>;
}

/** Batches allowed in the background (embedding, vector writes) before loading waits: bounds memory. */
const BATCHES_IN_FLIGHT = 2;

/**
 * Brings a knowledge base in line with a folder: new documents are added, changed ones have their chunks replaced,
 * unchanged ones (same content hash, fully indexed) cost nothing, and with `sync` vanished ones are removed — in
 * SQLite and in every index. SQLite is written first and each document stays `indexing` until the indexes hold it,
 * so a run that is killed midway is finished, without duplicates, by the next run over the same folder.
 *
 * A file that fails to load is reported with its own code and skipped; its previously indexed version stays.
 *
 * Work overlaps in three lanes: the main thread loads, chunks and writes SQLite and the keyword index; the embedder
 * works on the previous batch (off this thread when it runs in a worker, see createOnnxEmbedderInWorker); Chroma
 * stores the batch before that. Each lane keeps batch order.
 */
export async function ingestDirectory(options: IngestDirectoryOptions): Promise<IngestSummary> {
  const { kb, documents, signal } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const scope: StoreScope = { tenantId: kb.tenantId, kbId: kb.id };
  const batchChunks = options.batchChunks ?? 512;
  const counts = { added: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0, chunksIndexed: 0, chunksRemoved: 0 };
  const failures: { path: string; code: string; message: string }[] = [];
  const seen = new Set<string>();
  const keptPrefixes: string[] = [];
  let pending: PendingDocument[] = [];
  let pendingChunks = 0;

  if (options.dense) options.knowledgeBases.bindEmbedder(kb, options.dense.embedder.modelId, options.dense.embedder.dimensions);
  options.onEvent?.({ type: 'ingest-start', kb: kb.name, root: options.root });

  let embedLane: Promise<unknown> = Promise.resolve();
  let vectorLane: Promise<unknown> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  // Tombstones a batch has taken on; a later batch must not delete (and count) them a second time.
  const claimedTombstones = new Set<string>();
  const flush = async () => {
    const batch = pending;
    pending = [];
    pendingChunks = 0;
    while (inFlight.length >= BATCHES_IN_FLIGHT) await inFlight.shift();
    const prepared = await prepareIndexes(options, scope, batch, claimedTombstones);
    const embedded = embedLane.then(() => embedBatch(options, prepared));
    embedLane = embedded.catch(() => undefined);
    const stored = Promise.all([embedded, vectorLane]).then(async ([embeddings]) => {
      await storeVectors(options, scope, prepared, embeddings);
      counts.chunksIndexed += prepared.entries.length;
      counts.chunksRemoved += prepared.removed.length;
      documents.markReady(kb.id, prepared.documentIds);
    });
    vectorLane = stored.catch(() => undefined);
    // A failure surfaces where the batch is awaited (backpressure above, or the end); this keeps it handled.
    stored.catch(() => undefined);
    inFlight.push(stored);
  };

  try {
    const filesDone = new Set<string>();
    const walk = { ...options.walk, onListed: (files: number) => options.onEvent?.({ type: 'ingest-listed', files }) };
    for await (const outcome of walkDirectory(options.root, walk)) {
      if (signal?.aborted) throw new TrellisError('MODEL_ABORTED', 'ingest was cancelled', { cause: signal.reason });
      if (!outcome.ok) {
        counts.failed += 1;
        // The file is still there, only unreadable now: keep what was indexed from it before.
        keptPrefixes.push(outcome.path);
        const failure = { path: outcome.path, code: outcome.error.code, message: outcome.error.message };
        failures.push(failure);
        filesDone.add(outcome.path);
        options.onEvent?.({ type: 'document-error', ...failure });
        continue;
      }
      const document = outcome.document;
      seen.add(document.id);
      const state = documents.state(kb.id, document.id);
      if (state?.status === 'ready' && state.contentHash === document.contentHash) {
        counts.unchanged += 1;
      } else {
        if (state) counts.updated += 1;
        else counts.added += 1;
        const chunks = await chunkDocument(document, options.chunking);
        pending.push({ document, chunks });
        pendingChunks += chunks.length;
        if (pendingChunks >= batchChunks) await flush();
      }
      filesDone.add(document.source);
      options.onEvent?.({ type: 'ingest-progress', counts: { ...counts }, filesDone: filesDone.size, source: document.source });
    }

    if (options.sync) {
      for (const id of documents.documentIds(kb.id)) {
        if (seen.has(id) || keptPrefixes.some((prefix) => id === prefix || id.startsWith(`${prefix}#`))) continue;
        documents.remove(kb.id, id);
        counts.deleted += 1;
      }
    }
    await flush();
  } finally {
    // Never return or throw while a batch is still being written; a failure among them is reported just below.
    await Promise.allSettled(inFlight);
  }
  await Promise.all(inFlight);

  const summary: IngestSummary = { ...counts, kb: kb.name, failures, dense: Boolean(options.dense), seconds: (now() - started) / 1000 };
  options.onEvent?.({ type: 'ingest-end', summary });
  return summary;
}

/**
 * First lane: the batch's documents and chunks go into SQLite in one transaction (marked `indexing`), the
 * tombstones' deletes and the new chunks into the keyword index. Chunk ids derive from their document's id, so
 * two batches of one run never share a chunk and later lanes may lag behind safely.
 */
async function prepareIndexes(
  options: IngestDirectoryOptions,
  scope: StoreScope,
  batch: readonly PendingDocument[],
  claimedTombstones: Set<string>,
): Promise<PreparedBatch> {
  const { documents, keywordStore, kb } = options;
  const replaced = documents.replaceMany(kb.id, batch);
  const entries = batch.flatMap((item, index) => replaced[index]!.toIndex.map((chunk) => entryOf(item.document, chunk)));
  const removed = documents.tombstones(kb.id).filter((id) => !claimedTombstones.has(id));
  for (const id of removed) claimedTombstones.add(id);
  if (removed.length > 0) await keywordStore.delete(scope, removed);
  if (entries.length > 0) await keywordStore.upsert(scope, entries);
  if (options.graph) {
    // Removed chunks lose their support first: whatever only they supported leaves the graph with them.
    if (removed.length > 0) await options.graph.store.removeChunks(scope, removed);
    const changed = batch.map((item) => ({
      documentId: item.document.id,
      chunks: item.chunks.map((chunk) => ({ id: chunk.id, text: chunk.text, title: item.document.title })),
    }));
    await indexDocumentGraphs(options.graph, scope, changed, options.signal);
  }
  const added = new Set(replaced.flatMap((result) => [...result.added]));
  return { documentIds: batch.map((item) => item.document.id), removed, entries, added };
}

/** Second lane: the batch's embeddings (with a worker-hosted embedder, loading goes on meanwhile). */
async function embedBatch(options: IngestDirectoryOptions, batch: PreparedBatch): Promise<readonly number[][] | undefined> {
  const { dense, signal } = options;
  if (!dense || batch.entries.length === 0) return undefined;
  const { embeddings } = await embedMany(dense.embedder, batch.entries.map((entry) => entry.text), { inputType: 'document', signal });
  return embeddings;
}

/**
 * Third lane: the tombstones' deletes, then the batch in the vector index (chunks new to SQLite added, the others,
 * left there by a run that was cut short, replaced); the tombstones are cleared once deleted.
 */
async function storeVectors(
  options: IngestDirectoryOptions,
  scope: StoreScope,
  batch: PreparedBatch,
  embeddings: readonly number[][] | undefined,
): Promise<void> {
  const { documents, dense, kb } = options;
  if (batch.removed.length > 0) {
    await dense?.vectorStore.delete(scope, batch.removed);
    documents.clearTombstones(kb.id, batch.removed);
  }
  if (dense && embeddings) {
    const vectors = batch.entries.map((entry, index) => ({ ...entry, embedding: embeddings[index]! }));
    const known = vectors.filter((entry) => !batch.added.has(entry.chunkId));
    if (known.length > 0) await dense.vectorStore.upsert(scope, known);
    if (known.length < vectors.length) await dense.vectorStore.add(scope, vectors.filter((entry) => batch.added.has(entry.chunkId)));
  }
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
