import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AssetEntry } from '../../../../core/assets/catalogue.js';
import { pullAsset, type AssetProgress } from '../../../../core/assets/pull.js';
import { resolveAsset } from '../../../../core/assets/resolve.js';
import { verifyAsset } from '../../../../core/assets/verify.js';
import { TrellisError } from '../../../../core/errors.js';
import { closedPortUrl, fakeAsset, randomFiles, serveAsset, startFixtureServer, type FixtureServer } from './fixtures.js';

// Any network use where none is allowed fails the test loudly.
const noNetwork: typeof fetch = () => Promise.reject(new Error('the network must not be used'));

describe('model assets', () => {
  let server: FixtureServer;
  let root: string;
  let cacheDir: string;
  let modelsDir: string;
  const files = randomFiles({ 'onnx/model.onnx': 50_000, 'tokenizer.json': 3_000 });
  const entry = fakeAsset('tiny-embedder', files);
  const other = fakeAsset('other-embedder', randomFiles({ 'model.onnx': 100 }));
  const catalogue: readonly AssetEntry[] = [entry, other];

  beforeEach(async () => {
    server = await startFixtureServer();
    serveAsset(server, entry, files);
    root = await mkdtemp(path.join(tmpdir(), 'trellis-assets-'));
    cacheDir = path.join(root, 'cache');
    modelsDir = path.join(root, 'models');
  });
  afterEach(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  async function provide(dir: string, contents: Record<string, Buffer>): Promise<void> {
    for (const [relative, data] of Object.entries(contents)) {
      await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
      await writeFile(path.join(dir, relative), data);
    }
  }

  describe('resolveAsset', () => {
    it('downloads into the cache, then finds it there without the network', async () => {
      const downloaded = await resolveAsset('tiny-embedder', { cacheDir, mirror: server.url, download: true, catalogue });

      const dir = path.join(cacheDir, 'tiny-embedder');
      expect(downloaded).toEqual({
        name: 'tiny-embedder',
        dir,
        source: 'download',
        files: { 'onnx/model.onnx': path.join(dir, 'onnx', 'model.onnx'), 'tokenizer.json': path.join(dir, 'tokenizer.json') },
      });
      expect((await readFile(downloaded.files['onnx/model.onnx']!)).equals(files['onnx/model.onnx']!)).toBe(true);

      const cached = await resolveAsset('tiny-embedder', { cacheDir, mirror: server.url, fetch: noNetwork, catalogue });
      expect(cached).toEqual({ ...downloaded, source: 'cache' });
    });

    it('prefers the models dir over the cache, trusting its files as they are', async () => {
      await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue });
      const own = randomFiles({ 'onnx/model.onnx': 10, 'tokenizer.json': 10 });
      await provide(path.join(modelsDir, 'tiny-embedder'), own);

      const resolved = await resolveAsset('tiny-embedder', { modelsDir, cacheDir, fetch: noNetwork, catalogue });

      expect(resolved.source).toBe('models-dir');
      expect(resolved.dir).toBe(path.join(modelsDir, 'tiny-embedder'));
      expect((await readFile(resolved.files['tokenizer.json']!)).equals(own['tokenizer.json']!)).toBe(true);
    });

    it('falls back to the cache when the models dir has no folder for the asset', async () => {
      await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue });
      await mkdir(modelsDir, { recursive: true });
      const resolved = await resolveAsset('tiny-embedder', { modelsDir, cacheDir, fetch: noNetwork, catalogue });
      expect(resolved.source).toBe('cache');
    });

    it('refuses a models-dir folder that lacks a file, naming it', async () => {
      await provide(path.join(modelsDir, 'tiny-embedder'), { 'tokenizer.json': files['tokenizer.json']! });

      const error = await resolveAsset('tiny-embedder', { modelsDir, cacheDir, catalogue }).catch((caught: unknown) => caught);

      expect(TrellisError.isInstance(error, 'MODEL_UNAVAILABLE')).toBe(true);
      expect((error as TrellisError).details).toMatchObject({ missing: ['onnx/model.onnx'] });
    });

    it('throws MODEL_UNAVAILABLE with the pull command when the asset is absent and downloads are off', async () => {
      const error = await resolveAsset('tiny-embedder', { cacheDir, fetch: noNetwork, catalogue }).catch((caught: unknown) => caught);
      expect(TrellisError.isInstance(error, 'MODEL_UNAVAILABLE')).toBe(true);
      expect((error as TrellisError).hint).toContain('trellis models pull tiny-embedder');
    });

    it('throws MODEL_UNAVAILABLE with the pull command when the mirror refuses connections', async () => {
      const mirror = await closedPortUrl();
      const error = await resolveAsset('tiny-embedder', { cacheDir, mirror, download: true, catalogue }).catch(
        (caught: unknown) => caught,
      );
      expect(TrellisError.isInstance(error, 'MODEL_UNAVAILABLE')).toBe(true);
      expect((error as TrellisError).hint).toContain('trellis models pull tiny-embedder');
      expect((error as TrellisError).cause).toBeDefined();
    });

    it('throws ASSET_UNKNOWN listing the names that exist', async () => {
      const error = await resolveAsset('no-such-model', { cacheDir, catalogue }).catch((caught: unknown) => caught);
      expect(TrellisError.isInstance(error, 'ASSET_UNKNOWN')).toBe(true);
      expect((error as TrellisError).details).toEqual({ name: 'no-such-model', available: ['tiny-embedder', 'other-embedder'] });
      expect((error as TrellisError).message).toContain('tiny-embedder, other-embedder');
    });
  });

  describe('pullAsset', () => {
    it('reports progress per file up to its full size', async () => {
      const events: AssetProgress[] = [];
      await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue, onProgress: (event) => events.push(event) });
      const last = (file: string) => events.filter((event) => event.file === file).at(-1);
      expect(last('onnx/model.onnx')).toEqual({ asset: 'tiny-embedder', file: 'onnx/model.onnx', receivedBytes: 50_000, totalBytes: 50_000 });
      expect(last('tokenizer.json')).toEqual({ asset: 'tiny-embedder', file: 'tokenizer.json', receivedBytes: 3_000, totalBytes: 3_000 });
    });

    it('downloads only the files the cache lacks', async () => {
      await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue });
      await unlink(path.join(cacheDir, 'tiny-embedder', 'tokenizer.json'));
      server.requests.length = 0;

      await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue });

      expect(server.requests.map((request) => request.path)).toEqual(['/test/tiny-embedder/resolve/test/tokenizer.json']);
    });

    it('replaces a damaged cached file', async () => {
      await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue });
      const tokenizer = path.join(cacheDir, 'tiny-embedder', 'tokenizer.json');
      await writeFile(tokenizer, Buffer.alloc(3_000));

      await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue });

      expect((await readFile(tokenizer)).equals(files['tokenizer.json']!)).toBe(true);
    });

    it('names the pull command in the hint of a checksum mismatch, and keeps no file', async () => {
      server.route(`/${entry.files[1]!.url}`, { body: Buffer.alloc(3_000) });
      const error = await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue }).catch((caught: unknown) => caught);
      expect(TrellisError.isInstance(error, 'ASSET_CHECKSUM_MISMATCH')).toBe(true);
      expect((error as TrellisError).hint).toContain('trellis models pull tiny-embedder');
      expect(existsSync(path.join(cacheDir, 'tiny-embedder', 'tokenizer.json'))).toBe(false);
      expect(existsSync(path.join(cacheDir, 'tiny-embedder', 'tokenizer.json.part'))).toBe(false);
    });
  });

  describe('verifyAsset', () => {
    it('passes a freshly pulled asset', async () => {
      await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue });
      const result = await verifyAsset('tiny-embedder', { cacheDir, catalogue });
      expect(result.ok).toBe(true);
      expect(result.source).toBe('cache');
      expect(result.files.map((file) => file.status)).toEqual(['ok', 'ok']);
    });

    it('detects a tampered and a deleted cached file', async () => {
      await pullAsset('tiny-embedder', { cacheDir, mirror: server.url, catalogue });
      const model = path.join(cacheDir, 'tiny-embedder', 'onnx', 'model.onnx');
      const tampered = Buffer.from(files['onnx/model.onnx']!);
      tampered[123] = tampered[123]! ^ 0xff;
      await writeFile(model, tampered);
      await unlink(path.join(cacheDir, 'tiny-embedder', 'tokenizer.json'));

      const result = await verifyAsset('tiny-embedder', { cacheDir, catalogue });

      expect(result.ok).toBe(false);
      expect(result.files).toEqual([
        expect.objectContaining({ path: 'onnx/model.onnx', status: 'mismatch', actualBytes: 50_000, expectedSha256: entry.files[0]!.sha256 }),
        expect.objectContaining({ path: 'tokenizer.json', status: 'missing', actualSha256: null }),
      ]);
    });

    it('reports an asset found nowhere as missing', async () => {
      const result = await verifyAsset('other-embedder', { cacheDir, modelsDir, catalogue });
      expect(result).toMatchObject({ source: 'missing', dir: null, ok: false });
    });
  });
});
