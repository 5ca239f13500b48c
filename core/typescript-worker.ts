import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `serve`, an export of the TypeScript module at `entry`, with `workerData`. The module is
 * loaded through tsx, which the worker needs whatever loaded this one: Trellis runs its TypeScript sources directly,
 * and a worker does not inherit loader hooks registered through tsx's API (`bin/trellis.js`) or a test runner's
 * transform.
 *
 * @example
 * const worker = startTypeScriptWorker(new URL('./onnx-embedder-worker.ts', import.meta.url), 'serveOnnxEmbedder', options);
 */
export function startTypeScriptWorker(entry: URL, serve: string, workerData: unknown, name?: string): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const source =
    `import(${JSON.stringify(tsxApi)})` +
    `.then(({ tsImport }) => tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))` +
    `.then((module) => module[${JSON.stringify(serve)}]());`;
  return new Worker(source, { eval: true, workerData, ...(name ? { name } : {}) });
}
