import { TrellisError } from '../../core/errors.js';
import type { AddressPolicy } from './address-policy.js';
import { bodyToText } from './body-to-text.js';
import { checkTarget } from './check-target.js';
import { pinnedGet, readBoundedBody } from './pinned-get.js';
import type { ResolveHost } from './resolve-host.js';

export interface FetchPublicUrlOptions {
  /** Host names that may be fetched (`.example.com` admits subdomains too); empty admits every public host. */
  readonly allowHosts: readonly string[];
  /** Body bytes read before the rest is cut off. */
  readonly maxBytes: number;
  /** For the whole fetch, redirects included. */
  readonly timeoutMs: number;
  readonly policy: AddressPolicy;
  readonly resolve: ResolveHost;
  /** The caller's cancellation. */
  readonly signal: AbortSignal;
}

export interface FetchedPage {
  readonly status: number;
  /** The URL of the response that was read, after redirects. */
  readonly url: string;
  readonly contentType: string | null;
  readonly title?: string;
  readonly text: string;
  readonly truncated: boolean;
  /** Every URL that answered with a redirect, in order. */
  readonly redirects: readonly string[];
  readonly notice?: string;
}

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * GETs a URL the way a server-side fetch on behalf of a model must: each hop (the URL and every redirect, at most 5,
 * followed by hand) is checked by `checkTarget` and connected to the very address that was checked; the body is read
 * up to `maxBytes`; the whole fetch must end within `timeoutMs` (TOOL_TIMEOUT). Refused URLs are TOOL_URL_BLOCKED
 * before any connection is opened; other failures are TOOL_FAILED. Cancellation by the caller rejects with the
 * signal's reason.
 */
export async function fetchPublicUrl(rawUrl: string, options: FetchPublicUrlOptions): Promise<FetchedPage> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, deadline]);
  const redirects: string[] = [];
  try {
    let url = parseUrl(rawUrl);
    for (;;) {
      const target = await checkTarget(url, { ...options, signal });
      const response = await pinnedGet(target, signal);
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(response.statusCode ?? 0) && location) {
        response.destroy();
        if (redirects.length === MAX_REDIRECTS) {
          throw new TrellisError('TOOL_FAILED', `${rawUrl} redirects more than ${MAX_REDIRECTS} times`);
        }
        redirects.push(url.href);
        url = parseUrl(location, url);
        continue;
      }
      const body = await readBoundedBody(response, options.maxBytes);
      const contentType = response.headers['content-type'] ?? null;
      return {
        status: response.statusCode ?? 0,
        url: url.href,
        contentType,
        ...bodyToText(body.bytes, contentType ?? undefined),
        truncated: body.truncated,
        redirects,
      };
    }
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    if (deadline.aborted) {
      throw new TrellisError('TOOL_TIMEOUT', `fetching ${rawUrl} took longer than ${options.timeoutMs} ms`, {
        hint: 'Try again later or another source; the limit is tools.httpFetch.timeoutMs.',
      });
    }
    if (TrellisError.isInstance(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new TrellisError('TOOL_FAILED', `fetching ${rawUrl} failed: ${reason}`, { cause: error });
  }
}

function parseUrl(raw: string, base?: URL): URL {
  try {
    return new URL(raw, base);
  } catch {
    throw new TrellisError('TOOL_INPUT_INVALID', `${raw.slice(0, 200)} is not a valid URL`, {
      hint: 'Pass an absolute http(s) URL such as https://example.com/page.',
    });
  }
}
