import { ChromaClient, ChromaNotFoundError, type Collection, type Metadata } from 'chromadb';
import { TrellisError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { ChunkMetadata, IndexHit, StoreScope, VectorEntry, VectorStore } from '../types.js';
import { assertCollectionPrefix, chromaCollectionName } from './chroma-collection-name.js';
import { fromChromaError } from './chroma-errors.js';
import { toChromaWhere } from './chroma-where.js';

export interface ChromaVectorStoreOptions {
  /** Base URL of a Chroma server: the sidecar's `url`, or a remote one (`http(s)://host:port`). */
  url: string;
  logger: Logger;
  /** Start of every collection name this store creates, so several apps can share one server. Default `trellis`. */
  collectionPrefix?: string;
}

/**
 * A VectorStore on a Chroma server: one cosine collection per (tenant, knowledge base), embeddings computed by
 * Trellis, the chunk text as the document and the chunk's metadata beside it.
 *
 * Collections are cached per scope and forgotten on any failure, so after Chroma restarts (or a collection is
 * dropped elsewhere) the next call resolves them again; no restart of Trellis is needed.
 *
 * @example
 * const store = createChromaVectorStore({ url: sidecar.url, logger });
 * await store.upsert({ tenantId: 'acme', kbId: 'handbook' }, entries);
 * const hits = await store.query({ tenantId: 'acme', kbId: 'handbook' }, { embedding, topK: 5 });
 */
export function createChromaVectorStore(options: ChromaVectorStoreOptions): VectorStore {
  const prefix = options.collectionPrefix ?? 'trellis';
  assertCollectionPrefix(prefix);
  const { url, logger } = options;
  const client = new ChromaClient(clientArgs(url));
  const collections = new Map<string, Collection>();

  /** The scope's collection, created on first write; `undefined` when reading a scope nothing was written to. */
  async function resolve(scope: StoreScope, create: boolean): Promise<Collection | undefined> {
    const name = chromaCollectionName(prefix, scope);
    const cached = collections.get(name);
    if (cached) return cached;
    let collection: Collection;
    if (create) {
      collection = await client.getOrCreateCollection({
        name,
        // null, not undefined: undefined makes the client look for @chroma-core/default-embed and warn.
        embeddingFunction: null,
        configuration: { hnsw: { space: 'cosine' } },
        metadata: { trellisTenantId: scope.tenantId, trellisKbId: scope.kbId },
      });
    } else {
      try {
        collection = await client.getCollection({ name });
      } catch (error) {
        if (error instanceof ChromaNotFoundError) return undefined;
        throw error;
      }
    }
    collections.set(name, collection);
    return collection;
  }

  /**
   * Runs `work` on the scope's collection. A cached collection that vanished (dropped by another store, or the
   * server's data dir replaced) is resolved once more; any failure empties the cache entry so nothing stale survives.
   */
  async function withCollection<T>(
    operation: string,
    scope: StoreScope,
    create: boolean,
    work: (collection: Collection) => Promise<T>,
    absent: T,
  ): Promise<T> {
    const name = chromaCollectionName(prefix, scope);
    for (let attempt = 0; ; attempt += 1) {
      const wasCached = collections.has(name);
      try {
        const collection = await resolve(scope, create);
        return collection === undefined ? absent : await work(collection);
      } catch (error) {
        collections.delete(name);
        if (error instanceof ChromaNotFoundError && wasCached && attempt === 0) continue;
        if (error instanceof ChromaNotFoundError && !create) return absent;
        const failure = fromChromaError(error, url, operation);
        logger.debug({ err: failure, operation, collection: name }, 'chroma call failed');
        throw failure;
      }
    }
  }

  async function batchSize(): Promise<number> {
    // The server states its limit in its pre-flight checks; the client caches them after the first success.
    const size = await client.getMaxBatchSize();
    return size > 0 ? size : 1_000;
  }

  return {
    name: 'chroma',

    async upsert(scope, entries) {
      if (entries.length === 0) return;
      assertOneDimension(entries);
      await withCollection('upsert', scope, true, async (collection) => {
        await assertDimension(collection, entries[0]?.embedding.length ?? 0);
        const size = await batchSize();
        for (let start = 0; start < entries.length; start += size) {
          const batch = entries.slice(start, start + size);
          const ids = batch.map((entry) => entry.chunkId);
          // Chroma's upsert merges new metadata into the old, so a key dropped from a chunk would linger and still
          // match filters; deleting first makes it a true replacement.
          await collection.delete({ ids });
          // No `documents`: SQLite already holds every chunk's text, and Chroma would build a full-text index of
          // its own over it, which made up most of the time of an add (bench/ingest.ts).
          await collection.add({
            ids,
            embeddings: batch.map((entry) => [...entry.embedding]),
            metadatas: batch.map((entry) => toChromaMetadata(entry.metadata)),
          });
        }
      }, undefined);
    },

    async add(scope, entries) {
      if (entries.length === 0) return;
      assertOneDimension(entries);
      await withCollection('add', scope, true, async (collection) => {
        const size = await batchSize();
        for (let start = 0; start < entries.length; start += size) {
          const batch = entries.slice(start, start + size);
          // Neither upsert's delete (a third of the write time: Chroma logs a delete per id, found or not) nor its
          // dimension probe (Chroma refuses a wrong length itself when nothing has to be deleted first). Chroma's
          // own `add` would silently keep an existing record; its upsert without a delete updates it.
          await collection.upsert({
            ids: batch.map((entry) => entry.chunkId),
            embeddings: batch.map((entry) => [...entry.embedding]),
            metadatas: batch.map((entry) => toChromaMetadata(entry.metadata)),
          });
        }
      }, undefined);
    },

    async delete(scope, chunkIds) {
      if (chunkIds.length === 0) return;
      await withCollection('delete', scope, false, async (collection) => {
        const size = await batchSize();
        for (let start = 0; start < chunkIds.length; start += size) {
          await collection.delete({ ids: chunkIds.slice(start, start + size) });
        }
      }, undefined);
    },

    async query(scope, request) {
      const where = toChromaWhere(request.filter);
      if (request.topK <= 0 || where === 'none') return [];
      return withCollection('query', scope, false, async (collection): Promise<readonly IndexHit[]> => {
        const result = await collection.query({
          queryEmbeddings: [[...request.embedding]],
          nResults: Math.floor(request.topK),
          where,
          include: ['distances'],
        });
        const ids = result.ids[0] ?? [];
        const distances = result.distances[0] ?? [];
        // Cosine distance is 1 - similarity; Chroma already orders by distance, nearest first.
        return ids.map((chunkId, index) => ({ chunkId, score: 1 - (distances[index] ?? 1) }));
      }, []);
    },

    async count(scope) {
      return withCollection('count', scope, false, (collection) => collection.count(), 0);
    },

    async drop(scope) {
      const name = chromaCollectionName(prefix, scope);
      collections.delete(name);
      try {
        await client.deleteCollection({ name });
      } catch (error) {
        if (error instanceof ChromaNotFoundError) return;
        throw fromChromaError(error, url, 'drop');
      }
    },
  };
}

function clientArgs(url: string): { host: string; port: number; ssl: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TrellisError('CONFIG_INVALID', `Chroma URL "${url}" is not a URL`, { cause: error });
  }
  const ssl = parsed.protocol === 'https:';
  const port = parsed.port === '' ? (ssl ? 443 : 80) : Number(parsed.port);
  // URL keeps IPv6 hosts bracketed, which is what the client needs to build its base URL.
  return { host: parsed.hostname, port, ssl };
}

function assertOneDimension(entries: readonly VectorEntry[]): void {
  const expected = entries[0]?.embedding.length ?? 0;
  const odd = entries.find((entry) => entry.embedding.length !== expected);
  if (odd) {
    throw new TrellisError(
      'VECTOR_DIMENSION_MISMATCH',
      `chunk ${odd.chunkId} has a ${odd.embedding.length}-dimensional vector; others in the batch have ${expected}`,
      { details: { expected, actual: odd.embedding.length, chunkId: odd.chunkId } },
    );
  }
}

/**
 * Checks the batch against a vector already stored. Chroma checks too, but only on `add`, after the delete that
 * makes upsert a replacement: without this, a rejected upsert would have removed the chunks it meant to replace.
 */
async function assertDimension(collection: Collection, actual: number): Promise<void> {
  const sample = await collection.get({ limit: 1, include: ['embeddings'] });
  const expected = sample.embeddings[0]?.length;
  if (expected !== undefined && expected !== actual) {
    throw new TrellisError(
      'VECTOR_DIMENSION_MISMATCH',
      `the knowledge base holds ${expected}-dimensional vectors; got ${actual}`,
      { details: { expected, actual } },
    );
  }
}

/** Chroma rejects an empty metadata object but accepts none at all for a record. */
function toChromaMetadata(metadata: ChunkMetadata): Metadata {
  return (Object.keys(metadata).length === 0 ? null : { ...metadata }) as Metadata;
}
