import path from 'node:path';
import type { TrellisConfig } from '../core/config.js';
import { TrellisError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { startChromaSidecar, type ChromaSidecar } from '../rag/stores/vector/chroma-sidecar.js';
import { findSharedSidecar, isAlive, recordSidecar } from '../rag/stores/vector/shared-sidecar.js';
import { createChromaVectorStore } from '../rag/stores/vector/chroma-vector-store.js';
import type { VectorStore } from '../rag/stores/types.js';
import type { ReadinessCheck } from './readiness.js';

/** The runtime's vector store: a remote Chroma, a sidecar it starts and stops, or none. */
export interface VectorStoreProvider {
  /** Starts the sidecar, if there is one, without waiting for it. */
  start(): void;
  /** The store, once usable; rejects when vectors are off or the sidecar failed to start. */
  get(): Promise<VectorStore>;
  check(): ReadinessCheck;
  stop(): Promise<void>;
}

/**
 * Chooses the vector store from settings. The sidecar starts in the background so that the server listens at once;
 * until Chroma answers, callers of `get()` wait for it, and if it cannot start, knowledge bases fall back to
 * keyword retrieval while /readyz reports why.
 */
export function createVectorStoreProvider(config: TrellisConfig, logger: Logger): VectorStoreProvider {
  const settings = config.stores.vector;
  if (settings.provider === 'none') {
    const off = new TrellisError('VECTOR_STORE_UNAVAILABLE', 'vector storage is switched off (stores.vector.provider = none)', {
      hint: 'Set stores.vector.provider to chroma for dense and hybrid retrieval.',
    });
    return {
      start() {},
      get: () => Promise.reject(off),
      check: () => ({ name: 'vector store', state: 'ok', detail: 'off (keyword retrieval only)' }),
      stop: async () => {},
    };
  }
  if (settings.url) {
    const store = createChromaVectorStore({ url: settings.url, logger, collectionPrefix: settings.collectionPrefix });
    return {
      start() {},
      get: async () => store,
      check: () => ({ name: 'vector store', state: 'ok', detail: `chroma at ${settings.url}` }),
      stop: async () => {},
    };
  }

  const chromaDir = path.resolve(config.dataDir, 'chroma');
  let starting: Promise<ChromaSidecar> | undefined;
  let state: ReadinessCheck = { name: 'vector store', state: 'degraded', detail: 'chroma sidecar not started' };
  let store: VectorStore | undefined;
  let borrowed = false;
  const start = () => {
    starting ??= sidecarFor(chromaDir, logger).then(
      ({ sidecar, shared }) => {
        borrowed = shared;
        const whose = shared ? 'shared with another Trellis process' : 'chroma sidecar';
        state = { name: 'vector store', state: 'ok', detail: `${whose} at ${sidecar.url} (pid ${sidecar.pid})` };
        store = createChromaVectorStore({ url: sidecar.url, logger, collectionPrefix: settings.collectionPrefix });
        logger.info({ url: sidecar.url, ms: sidecar.startMs, shared }, shared ? 'using the chroma sidecar of another Trellis process' : 'chroma sidecar started');
        return sidecar;
      },
      (error: unknown) => {
        const failure = TrellisError.isInstance(error) ? error : new TrellisError('VECTOR_STORE_START_FAILED', String(error));
        state = { name: 'vector store', state: 'degraded', detail: `${failure.code}: ${failure.message}`, hint: failure.hint };
        logger.error({ err: failure }, 'chroma sidecar failed to start; keyword retrieval only');
        throw failure;
      },
    );
    // The failure is reported through get() and check(); an unobserved rejection must not end the process.
    starting.catch(() => undefined);
  };
  return {
    start,
    async get() {
      if (!starting) throw new TrellisError('RUNTIME_NOT_STARTED', 'the vector store starts with runtime.start()');
      const current = starting;
      const sidecar = await current;
      // The process whose sidecar this one borrowed has stopped it: start one of our own (once, however many
      // callers notice at the same time).
      if (borrowed && !isAlive(sidecar.pid)) {
        if (starting === current) {
          starting = undefined;
          start();
        }
        await starting;
      }
      return store!;
    },
    check: () => state,
    async stop() {
      const sidecar = await starting?.catch(() => undefined);
      await sidecar?.stop();
    },
  };
}

/** The sidecar another Trellis process runs on this data dir, or a new one of ours, recorded for the next process. */
async function sidecarFor(chromaDir: string, logger: Logger): Promise<{ sidecar: ChromaSidecar; shared: boolean }> {
  const shared = await findSharedSidecar(chromaDir);
  if (shared) return { sidecar: shared, shared: true };
  const sidecar = await startChromaSidecar({ dataDir: chromaDir, logger });
  const forget = recordSidecar(chromaDir, sidecar);
  return {
    sidecar: {
      ...sidecar,
      stop: async () => {
        forget();
        await sidecar.stop();
      },
    },
    shared: false,
  };
}
