import { z } from 'zod';
import { defineTool } from './define-tool.js';
import { publicAddressPolicy, type AddressPolicy } from './http/address-policy.js';
import { fetchPublicUrl } from './http/fetch-public-url.js';
import { systemResolveHost, type ResolveHost } from './http/resolve-host.js';

export interface HttpFetchSettings {
  /** Host names that may be fetched (`.example.com` admits its subdomains too); empty admits every public host. */
  readonly allowHosts: readonly string[];
  /** Response bytes read before the body is cut off (the result then says `truncated: true`). */
  readonly maxBytes: number;
  /** For the whole fetch, redirects included. */
  readonly timeoutMs: number;
  /**
   * Which addresses may be contacted; defaults to public unicast only. Every address is checked, allow-listed hosts
   * included; a deployment that must reach an internal host passes its own policy here.
   */
  readonly addressPolicy?: AddressPolicy;
  /** Host name resolution; defaults to the system resolver (tests map names to addresses without DNS). */
  readonly resolve?: ResolveHost;
}

/** The `tools.httpFetch` defaults of core/config-schema.ts. */
export const DEFAULT_HTTP_FETCH_SETTINGS: HttpFetchSettings = { allowHosts: [], maxBytes: 1024 * 1024, timeoutMs: 15_000 };

/**
 * `http_fetch` configured from `tools.httpFetch`: GET only, a person approves each call, and the URL (and every
 * redirect) must pass the SSRF checks of tools/http/ before a connection is opened.
 *
 * @example
 * const httpFetch = createHttpFetchTool({ ...config.tools.httpFetch });
 */
export function createHttpFetchTool(settings: HttpFetchSettings) {
  const policy = settings.addressPolicy ?? publicAddressPolicy;
  const resolve = settings.resolve ?? systemResolveHost;
  const scope = settings.allowHosts.length > 0 ? `Only these hosts: ${settings.allowHosts.join(', ')}.` : 'Public hosts only.';
  return defineTool({
    name: 'http_fetch',
    description:
      `Fetches a web page or file by HTTP GET and returns its status, final URL, content type and text (HTML reduced ` +
      `to text). ${scope} Long bodies are cut off and marked truncated.`,
    schema: z.object({
      url: z.string().min(1).max(2048).describe('Absolute http(s) URL, e.g. https://example.com/page'),
    }),
    needsApproval: true,
    idempotent: true,
    execute: ({ url }, { signal }) =>
      fetchPublicUrl(url, {
        allowHosts: settings.allowHosts,
        maxBytes: settings.maxBytes,
        timeoutMs: settings.timeoutMs,
        policy,
        resolve,
        signal,
      }),
  });
}

export default createHttpFetchTool(DEFAULT_HTTP_FETCH_SETTINGS);
