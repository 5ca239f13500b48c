import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AssetEntry } from '../../../../core/assets/catalogue.js';

/** How the fixture server answers one path. */
export interface Route {
  body: Buffer;
  /** Answer ranged requests with the whole file and a 200, like a server without Range support. */
  ignoreRange?: boolean;
  /** Cut the connection of the first response after this many body bytes. */
  cutAfter?: number;
  /** Awaited after the cut bytes were written and before the socket is destroyed (lets the client drain them). */
  beforeCut?: () => Promise<void>;
  /** Statuses to answer, one per request, before serving the body normally. */
  failWith?: number[];
}

export interface RecordedRequest {
  readonly path: string;
  readonly range: string | undefined;
  readonly status: number;
}

/** A loopback HTTP server that serves files, honours `Range: bytes=N-` and records what it was asked. */
export interface FixtureServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, Route>();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((request, response) => {
    void answer(routes, requests, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (path, route) => routes.set(path, route),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(
  routes: Map<string, Route>,
  requests: RecordedRequest[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://fixture').pathname;
  const range = request.headers.range;
  const record = (status: number) => requests.push({ path, range, status });
  const route = routes.get(path);
  if (!route) {
    record(404);
    response.writeHead(404).end('not found');
    return;
  }
  const failure = route.failWith?.shift();
  if (failure !== undefined) {
    record(failure);
    response.writeHead(failure).end();
    return;
  }
  const { body } = route;
  const start = range && !route.ignoreRange ? Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? 0) : 0;
  if (range && !route.ignoreRange && start >= body.length) {
    record(416);
    response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    return;
  }
  const slice = body.subarray(start);
  const status = range && !route.ignoreRange ? 206 : 200;
  record(status);
  response.writeHead(status, {
    'content-length': slice.length,
    'accept-ranges': 'bytes',
    ...(status === 206 ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
  });
  if (route.cutAfter !== undefined) {
    const cutAt = route.cutAfter;
    route.cutAfter = undefined;
    await new Promise<void>((resolve) => response.write(slice.subarray(0, cutAt), () => resolve()));
    await route.beforeCut?.();
    response.destroy();
    return;
  }
  response.end(slice);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Random file contents for a fake asset, keyed by catalogue path. */
export function randomFiles(sizes: Record<string, number>): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(sizes).map(([path, size]) => [path, randomBytes(size)]));
}

/** A small catalogue entry whose files are the given buffers, served under `<name>/resolve/test/<path>`. */
export function fakeAsset(name: string, files: Record<string, Buffer>): AssetEntry {
  const paths = Object.keys(files);
  return {
    name,
    kind: 'embedding',
    description: `test asset ${name}`,
    license: 'MIT',
    source: { repo: `test/${name}`, revision: 'test' },
    files: paths.map((path) => ({
      path,
      url: `test/${name}/resolve/test/${path}`,
      sha256: sha256(files[path]!),
      bytes: files[path]!.length,
    })),
    model: paths[0]!,
    isDefault: false,
    dimensions: 8,
    pooling: 'mean',
    queryPrefix: '',
    maxLength: 16,
  };
}

/** Serves every file of a fake asset at the URL its catalogue entry names. */
export function serveAsset(server: FixtureServer, entry: AssetEntry, files: Record<string, Buffer>): void {
  for (const file of entry.files) server.route(`/${file.url}`, { body: files[file.path]! });
}

/** A loopback port with nothing listening: connections to it are refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Polls until `check` holds (or fails after two seconds). */
export async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
