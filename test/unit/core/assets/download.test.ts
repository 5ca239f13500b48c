import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile, isUnreachableError, type DownloadProgress } from '../../../../core/assets/download.js';
import { TrellisError } from '../../../../core/errors.js';
import { closedPortUrl, sha256, startFixtureServer, waitUntil, type FixtureServer } from './fixtures.js';

describe('downloadFile', () => {
  let server: FixtureServer;
  let dir: string;
  let destination: string;
  const body = randomBytes(200_000);

  beforeEach(async () => {
    server = await startFixtureServer();
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-download-'));
    destination = path.join(dir, 'nested', 'model.bin');
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const options = () => ({
    url: `${server.url}/model.bin`,
    destination,
    sha256: sha256(body),
    bytes: body.length,
    retryDelayMs: 1,
  });

  it('downloads the whole file, verifies it and leaves no .part', async () => {
    server.route('/model.bin', { body });
    const events: DownloadProgress[] = [];

    await downloadFile({ ...options(), file: 'model.bin', onProgress: (event) => events.push(event) });

    expect((await readFile(destination)).equals(body)).toBe(true);
    expect(existsSync(`${destination}.part`)).toBe(false);
    expect(events.at(-1)).toEqual({ file: 'model.bin', receivedBytes: body.length, totalBytes: body.length });
    expect(server.requests).toEqual([{ path: '/model.bin', range: undefined, status: 200 }]);
  });

  it('resumes with a Range request after the connection is cut mid-stream', async () => {
    const cutAfter = 70_000;
    server.route('/model.bin', {
      body,
      cutAfter,
      // The client must have written every byte sent before the cut, so the resume offset is exact.
      beforeCut: () => waitUntil(async () => existsSync(`${destination}.part`) && (await stat(`${destination}.part`)).size === cutAfter),
    });

    await downloadFile(options());

    expect((await readFile(destination)).equals(body)).toBe(true);
    expect(server.requests).toEqual([
      { path: '/model.bin', range: undefined, status: 200 },
      { path: '/model.bin', range: `bytes=${cutAfter}-`, status: 206 },
    ]);
  });

  it('starts again from zero when the server answers a Range request with 200', async () => {
    server.route('/model.bin', { body, ignoreRange: true });
    const partial = path.join(dir, 'partial.bin');
    await writeFile(`${partial}.part`, body.subarray(0, 50_000));

    await downloadFile({ ...options(), destination: partial });

    expect((await readFile(partial)).equals(body)).toBe(true);
    expect(server.requests).toEqual([{ path: '/model.bin', range: 'bytes=50000-', status: 200 }]);
  });

  it('moves a complete .part into place without asking the server', async () => {
    await writeFile(path.join(dir, 'whole.bin.part'), body);
    await downloadFile({ ...options(), destination: path.join(dir, 'whole.bin') });
    expect((await readFile(path.join(dir, 'whole.bin'))).equals(body)).toBe(true);
    expect(server.requests).toEqual([]);
  });

  it('lets verification decide when the server answers 416', async () => {
    // The mirror's file is shorter than the pin: nothing lies past the .part, and the .part is not the pinned file.
    server.route('/model.bin', { body: body.subarray(0, 1_000) });
    await writeFile(path.join(dir, 'short.bin.part'), body.subarray(0, 1_000));

    const error = await downloadFile({ ...options(), destination: path.join(dir, 'short.bin') }).catch((caught: unknown) => caught);

    expect(TrellisError.isInstance(error, 'ASSET_CHECKSUM_MISMATCH')).toBe(true);
    expect(server.requests).toEqual([{ path: '/model.bin', range: 'bytes=1000-', status: 416 }]);
    expect(existsSync(path.join(dir, 'short.bin.part'))).toBe(false);
  });

  it('rejects other bytes with ASSET_CHECKSUM_MISMATCH, leaving neither the file nor a .part', async () => {
    const other = randomBytes(body.length);
    server.route('/model.bin', { body: other });

    const error = await downloadFile(options()).catch((caught: unknown) => caught);

    expect(TrellisError.isInstance(error, 'ASSET_CHECKSUM_MISMATCH')).toBe(true);
    expect((error as TrellisError).details).toMatchObject({
      expectedSha256: sha256(body),
      actualSha256: sha256(other),
      expectedBytes: body.length,
      actualBytes: body.length,
    });
    expect(existsSync(destination)).toBe(false);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it('stops a file that grows past its pinned size', async () => {
    server.route('/model.bin', { body: Buffer.concat([body, randomBytes(10)]) });
    const error = await downloadFile(options()).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'ASSET_CHECKSUM_MISMATCH')).toBe(true);
    expect(existsSync(`${destination}.part`)).toBe(false);
  });

  it('retries server errors, then succeeds', async () => {
    server.route('/model.bin', { body, failWith: [503, 502] });
    await downloadFile(options());
    expect(server.requests.map((request) => request.status)).toEqual([503, 502, 200]);
  });

  it('does not retry a 404', async () => {
    const error = await downloadFile({ ...options(), url: `${server.url}/absent.bin` }).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'ASSET_DOWNLOAD_FAILED')).toBe(true);
    expect((error as TrellisError).details).toMatchObject({ status: 404, reason: 'failed' });
    expect(server.requests).toHaveLength(1);
  });

  it('reports a refused connection as unreachable, without retrying', async () => {
    const url = `${await closedPortUrl()}/model.bin`;
    const error = await downloadFile({ ...options(), url, retryDelayMs: 60_000 }).catch((caught: unknown) => caught);
    expect(TrellisError.isInstance(error, 'ASSET_DOWNLOAD_FAILED')).toBe(true);
    expect(isUnreachableError(error)).toBe(true);
    expect((error as TrellisError).details).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('stops at once when aborted during a retry wait; a later call completes', async () => {
    const controller = new AbortController();
    server.route('/model.bin', { body, failWith: [503] });
    const pending = downloadFile({ ...options(), retryDelayMs: 60_000, signal: controller.signal });
    await waitUntil(async () => server.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await downloadFile(options());
    expect((await readFile(destination)).equals(body)).toBe(true);
  });
});
