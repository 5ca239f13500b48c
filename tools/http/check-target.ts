import { isIP } from 'node:net';
import { TrellisError } from '../../core/errors.js';
import type { AddressPolicy } from './address-policy.js';
import type { ResolveHost, ResolvedAddress } from './resolve-host.js';

/** A URL that passed every check, with the one address the connection must go to. */
export interface CheckedTarget {
  readonly url: URL;
  readonly address: ResolvedAddress;
}

export interface CheckTargetOptions {
  /** Host names that may be fetched (`.example.com` also admits subdomains); empty admits every host. */
  readonly allowHosts: readonly string[];
  readonly policy: AddressPolicy;
  readonly resolve: ResolveHost;
  readonly signal: AbortSignal;
}

const blocked = (url: URL | string, reason: string) =>
  new TrellisError('TOOL_URL_BLOCKED', `${String(url)} is refused: ${reason}`, { details: { url: String(url) } });

/**
 * Checks one URL (the first, and each redirect's) before any connection: http(s) only, no credentials, host on the
 * allow-list, and every address the host resolves to accepted by the policy. The WHATWG URL parser has already
 * turned `127.1`, `2130706433` and `0x7f.1` into `127.0.0.1`, so those spellings are judged as that address.
 * Throws TOOL_URL_BLOCKED; resolution failures are TOOL_FAILED.
 */
export async function checkTarget(url: URL, options: CheckTargetOptions): Promise<CheckedTarget> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw blocked(url.href.slice(0, 200), `scheme ${url.protocol} is not allowed; only http and https`);
  }
  if (url.username !== '' || url.password !== '') throw blocked(url, 'URLs with credentials are not fetched');
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (!hostAllowed(host, options.allowHosts)) {
    throw blocked(url, `host ${host} is not in tools.httpFetch.allowHosts (${options.allowHosts.join(', ')})`);
  }
  // Names under .localhost are loopback by definition (RFC 6761), whatever a resolver says.
  if (host === 'localhost' || host.endsWith('.localhost')) throw blocked(url, `${host} is a loopback name`);

  const family = isIP(host);
  const addresses: readonly ResolvedAddress[] =
    family === 4 || family === 6 ? [{ address: host, family }] : await resolveOrFail(host, options);
  if (addresses.length === 0) throw new TrellisError('TOOL_FAILED', `host ${host} resolves to no address`);
  // Every address is judged, not only the first: the connection must never be able to fall back to a refused one.
  for (const { address } of addresses) {
    const refusal = options.policy.refusal(address);
    if (refusal) throw blocked(url, host === address ? refusal : `${host} resolves to ${address}; ${refusal}`);
  }
  return { url, address: addresses[0] as ResolvedAddress };
}

function hostAllowed(host: string, allowHosts: readonly string[]): boolean {
  if (allowHosts.length === 0) return true;
  return allowHosts.some((entry) => {
    const allowed = entry.toLowerCase();
    return allowed.startsWith('.') ? host === allowed.slice(1) || host.endsWith(allowed) : host === allowed;
  });
}

async function resolveOrFail(host: string, options: CheckTargetOptions): Promise<readonly ResolvedAddress[]> {
  options.signal.throwIfAborted();
  const aborted = new Promise<never>((_resolve, reject) => {
    options.signal.addEventListener('abort', () => reject(options.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([options.resolve(host), aborted]);
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrellisError('TOOL_FAILED', `host ${host} cannot be resolved: ${reason}`, { cause: error });
  }
}
