import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executeTool } from '../../../tools/execute-tool.js';
import { createHttpFetchTool, type HttpFetchSettings } from '../../../tools/http-fetch.js';
import { publicAddressPolicy, type AddressPolicy } from '../../../tools/http/address-policy.js';
import type { ResolveHost } from '../../../tools/http/resolve-host.js';
import { toolContext } from '../../helpers/tool-context.js';

// The test server listens on loopback only; nothing here ever leaves the machine.
let server: Server;
let port: number;
let seen: { url: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    const url = new URL(request.url ?? '/', 'http://test');
    switch (url.pathname) {
      case '/page':
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end('<html><head><title>Test page</title><script>var x = 1;</script></head><body><p>First</p><p>Second</p></body></html>');
        return;
      case '/redirect':
        response.writeHead(302, { location: url.searchParams.get('to') ?? '/page' });
        response.end();
        return;
      case '/loop':
        response.writeHead(302, { location: '/loop' });
        response.end();
        return;
      case '/big':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('x'.repeat(200_000));
        return;
      case '/endless': {
        response.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => response.write('y'.repeat(4096)), 1);
        response.on('close', () => clearInterval(timer));
        return;
      }
      case '/gzip':
        response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        response.end(gzipSync(JSON.stringify({ packed: true })));
        return;
      case '/image':
        response.writeHead(200, { 'content-type': 'image/png' });
        response.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]));
        return;
      case '/slow':
        return; // never answers
      default:
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
});

/** Test resolver: fixed answers, no DNS. */
function fakeResolver(table: Record<string, string[]>): ResolveHost & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));
  };
  return Object.assign(resolve, { calls });
}

/** The default policy, except that the test server's loopback address counts as public. */
const testServerIsPublic: AddressPolicy = {
  refusal: (address) => (address === '127.0.0.1' ? undefined : publicAddressPolicy.refusal(address)),
};

const defaults: HttpFetchSettings = { allowHosts: [], maxBytes: 1024 * 1024, timeoutMs: 5_000 };
const limits = { timeoutMs: 10_000, maxOutputBytes: 1024 * 1024 };

function fetchWith(settings: Partial<HttpFetchSettings>) {
  const tool = createHttpFetchTool({ ...defaults, ...settings });
  return (url: string) => executeTool(tool, { url }, toolContext(), limits);
}

describe('http_fetch SSRF defence (default policy)', () => {
  const fetchDefault = fetchWith({ resolve: fakeResolver({ 'evil.example': ['127.0.0.1'], 'mixed.example': ['93.184.215.14', '10.0.0.1'] }) });

  it.each([
    () => `http://127.0.0.1:${port}/page`,
    () => `http://127.1:${port}/page`,
    () => `http://0.0.0.0:${port}/page`,
    () => `http://2130706433:${port}/page`,
    () => `http://0x7f.1:${port}/page`,
    () => `http://0177.0.0.1:${port}/page`,
    () => `http://10.0.0.1:${port}/`,
    () => `http://172.16.0.1:${port}/`,
    () => `http://192.168.1.1:${port}/`,
    () => `http://169.254.169.254/latest/meta-data/`,
    () => `http://100.64.0.1:${port}/`,
    () => `http://224.0.0.1:${port}/`,
    () => `http://[::1]:${port}/page`,
    () => `http://[::]:${port}/page`,
    () => `http://[::ffff:127.0.0.1]:${port}/page`,
    () => `http://[fe80::1]:${port}/`,
    () => `http://[fc00::1]:${port}/`,
    () => `http://[fd00:ec2::254]/latest/meta-data/`,
    () => `http://localhost:${port}/page`,
    () => `http://api.localhost:${port}/page`,
    () => `http://evil.example:${port}/page`,
    () => `http://mixed.example:${port}/page`,
  ])('refuses %# with TOOL_URL_BLOCKED before connecting', async (url) => {
    const result = await fetchDefault(url());
    expect(result).toMatchObject({ ok: false, error: { code: 'TOOL_URL_BLOCKED' } });
    expect(seen).toEqual([]);
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/file', 'data:text/plain,hello', 'javascript:alert(1)', 'gopher://example.com/'])(
    'refuses the scheme of %s',
    async (url) => {
      expect(await fetchDefault(url)).toMatchObject({ ok: false, error: { code: 'TOOL_URL_BLOCKED', message: expect.stringContaining('scheme') } });
    },
  );

  it('refuses URLs with credentials and says why for names that resolve to loopback', async () => {
    expect(await fetchDefault(`http://user:secret@example.com/`)).toMatchObject({ ok: false, error: { code: 'TOOL_URL_BLOCKED' } });
    expect(await fetchDefault(`http://evil.example:${port}/page`)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('evil.example resolves to 127.0.0.1; 127.0.0.1 is a loopback address') },
    });
  });

  it('answers a malformed URL with TOOL_INPUT_INVALID', async () => {
    expect(await fetchDefault('not a url')).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID' } });
  });
});

describe('address policy', () => {
  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])('accepts the public address %s', (address) => {
    expect(publicAddressPolicy.refusal(address)).toBeUndefined();
  });

  it.each(['127.0.0.1', '10.1.2.3', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'ff02::1', '::ffff:10.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::'])(
    'refuses %s',
    (address) => {
      expect(publicAddressPolicy.refusal(address)).toEqual(expect.any(String));
    },
  );
});

describe('http_fetch redirects', () => {
  const fetchTest = fetchWith({ addressPolicy: testServerIsPublic });

  it('follows redirects and reports the final URL and each hop', async () => {
    const result = await fetchTest(`http://127.0.0.1:${port}/redirect?to=/page`);
    expect(result).toEqual({
      ok: true,
      output: {
        status: 200,
        url: `http://127.0.0.1:${port}/page`,
        contentType: 'text/html; charset=utf-8',
        title: 'Test page',
        text: 'First\n\nSecond',
        truncated: false,
        redirects: [`http://127.0.0.1:${port}/redirect?to=/page`],
      },
    });
  });

  it.each(['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', () => `http://[::1]:${port}/page`, () => `http://localhost:${port}/page`, 'file:///etc/passwd'])(
    'refuses a redirect to %s, after the first hop only',
    async (target) => {
      const to = typeof target === 'function' ? target() : target;
      const result = await fetchTest(`http://127.0.0.1:${port}/redirect?to=${encodeURIComponent(to)}`);
      expect(result).toMatchObject({ ok: false, error: { code: 'TOOL_URL_BLOCKED' } });
      expect(seen.map((request) => request.url)).toEqual([`/redirect?to=${encodeURIComponent(to)}`]);
    },
  );

  it('stops after 5 redirects', async () => {
    const result = await fetchTest(`http://127.0.0.1:${port}/loop`);
    expect(result).toMatchObject({ ok: false, error: { code: 'TOOL_FAILED', message: expect.stringContaining('more than 5') } });
    expect(seen).toHaveLength(6);
  });
});

describe('http_fetch connection pinning and allow-list', () => {
  it('connects to the checked address with the original Host header, resolving once per hop', async () => {
    // A rebinding resolver: the first answer passes the check, any later one would point inside the network.
    let answers = 0;
    const resolve: ResolveHost = async () => [{ address: answers++ === 0 ? '127.0.0.1' : '10.0.0.1', family: 4 }];
    const fetchPinned = fetchWith({ addressPolicy: testServerIsPublic, resolve });
    const result = await fetchPinned(`http://rebind.example:${port}/page`);
    expect(result).toMatchObject({ ok: true, output: { status: 200, text: 'First\n\nSecond' } });
    expect(answers).toBe(1);
    expect(seen.map((request) => request.headers.host)).toEqual([`rebind.example:${port}`]);
  });

  it('fetches only allow-listed hosts when the list is set', async () => {
    const resolve = fakeResolver({ 'docs.example': ['127.0.0.1'], 'api.docs.example': ['127.0.0.1'], 'other.example': ['127.0.0.1'] });
    const fetchListed = fetchWith({ addressPolicy: testServerIsPublic, resolve, allowHosts: ['docs.example', '.docs.example'] });
    expect(await fetchListed(`http://docs.example:${port}/page`)).toMatchObject({ ok: true });
    expect(await fetchListed(`http://api.docs.example:${port}/page`)).toMatchObject({ ok: true });
    expect(await fetchListed(`http://other.example:${port}/page`)).toMatchObject({
      ok: false,
      error: { code: 'TOOL_URL_BLOCKED', message: expect.stringContaining('allowHosts') },
    });
    expect(await fetchListed(`http://127.0.0.1:${port}/page`)).toMatchObject({ ok: false, error: { code: 'TOOL_URL_BLOCKED' } });
    expect(resolve.calls).toEqual(['docs.example', 'api.docs.example']);
  });

  it('still applies the address policy to allow-listed hosts', async () => {
    const fetchListed = fetchWith({ resolve: fakeResolver({ 'intranet.example': ['10.0.0.5'] }), allowHosts: ['intranet.example'] });
    expect(await fetchListed('http://intranet.example/')).toMatchObject({ ok: false, error: { code: 'TOOL_URL_BLOCKED' } });
  });
});

describe('http_fetch limits and content', () => {
  it('stops reading at maxBytes and marks the text truncated', async () => {
    const fetchSmall = fetchWith({ addressPolicy: testServerIsPublic, maxBytes: 10_000 });
    const result = await fetchSmall(`http://127.0.0.1:${port}/big`);
    expect(result).toMatchObject({ ok: true, output: { status: 200, truncated: true } });
    expect((result.ok && (result.output as { text: string }).text.length) || 0).toBe(10_000);
  });

  it('stops an endless body at maxBytes instead of waiting for its end', async () => {
    const fetchSmall = fetchWith({ addressPolicy: testServerIsPublic, maxBytes: 50_000 });
    const result = await fetchSmall(`http://127.0.0.1:${port}/endless`);
    expect(result).toMatchObject({ ok: true, output: { truncated: true } });
  });

  it('gives up after timeoutMs with TOOL_TIMEOUT', async () => {
    const fetchQuick = fetchWith({ addressPolicy: testServerIsPublic, timeoutMs: 300 });
    const started = performance.now();
    const result = await fetchQuick(`http://127.0.0.1:${port}/slow`);
    expect(result).toMatchObject({ ok: false, error: { code: 'TOOL_TIMEOUT', hint: expect.stringContaining('tools.httpFetch.timeoutMs') } });
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('decompresses gzip, returns error statuses as results, and does not return binary bodies', async () => {
    const fetchTest = fetchWith({ addressPolicy: testServerIsPublic });
    expect(await fetchTest(`http://127.0.0.1:${port}/gzip`)).toMatchObject({ ok: true, output: { text: '{"packed":true}' } });
    expect(await fetchTest(`http://127.0.0.1:${port}/missing`)).toMatchObject({ ok: true, output: { status: 404, text: 'not here' } });
    expect(await fetchTest(`http://127.0.0.1:${port}/image`)).toMatchObject({
      ok: true,
      output: { text: '', notice: expect.stringContaining('image/png') },
    });
  });

  it('needs approval and is marked idempotent', () => {
    const tool = createHttpFetchTool(defaults);
    expect(tool.needsApproval).toBe(true);
    expect(tool.idempotent).toBe(true);
  });
});
