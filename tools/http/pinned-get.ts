import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { CheckedTarget } from './check-target.js';

const HEADERS = {
  'user-agent': 'Trellis-http_fetch/1',
  accept: 'text/html, text/plain;q=0.9, application/json;q=0.9, */*;q=0.5',
  'accept-encoding': 'gzip, deflate, br',
};

/**
 * Sends one GET to a checked target, connecting to the address that was checked and to no other: the request keeps
 * the URL's host name (Host header, TLS SNI and certificate check all use it) but its `lookup` answers with the
 * checked address, so a DNS answer that changes between check and connect (rebinding) is never consulted. A
 * per-request agent (`agent: false`) keeps a pooled socket to another address from being reused.
 */
export function pinnedGet(target: CheckedTarget, signal: AbortSignal): Promise<IncomingMessage> {
  const { address, family } = target.address;
  const lookup = ((_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
  const transport = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(target.url, { method: 'GET', agent: false, lookup, signal, headers: HEADERS });
    request.once('response', resolve);
    request.once('error', reject);
    request.end();
  });
}

export interface BoundedBody {
  readonly bytes: Buffer;
  /** True when the body was longer than the limit and reading stopped there. */
  readonly truncated: boolean;
}

const DECODERS: Readonly<Record<string, () => NodeJS.ReadWriteStream>> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * Reads a response body up to `maxBytes` (counted after decompression, so a small compressed bomb is bounded too)
 * and then stops reading and closes the connection: an endless or huge body costs at most `maxBytes` of memory.
 */
export function readBoundedBody(response: IncomingMessage, maxBytes: number): Promise<BoundedBody> {
  const encoding = String(response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoder = DECODERS[encoding]?.();
  const source = (decoder ? response.pipe(decoder) : response) as Readable;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (truncated: boolean) => {
      if (settled) return;
      settled = true;
      source.removeAllListeners('data');
      response.destroy();
      if (decoder) source.destroy();
      resolve({ bytes: Buffer.concat(chunks), truncated });
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      response.destroy();
      reject(error);
    };
    source.on('data', (chunk: Buffer) => {
      const room = maxBytes - size;
      if (chunk.length >= room) {
        chunks.push(chunk.subarray(0, room));
        size = maxBytes;
        finish(chunk.length > room || !response.complete);
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    source.once('end', () => finish(false));
    source.once('error', fail);
    // A connection cut mid-body surfaces as an 'error' on the response (ECONNRESET), also when a decoder reads it.
    if (decoder) response.once('error', fail);
  });
}
