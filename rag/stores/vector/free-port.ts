import { createServer } from 'node:net';

/**
 * Asks the OS for a port nobody listens on at `host` (listen on 0, read it, close). Another program can still take
 * it before the caller binds, so callers retry once on a bind failure.
 */
export async function findFreePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error(`no TCP port could be reserved on ${host}`);
  return address.port;
}

/**
 * True when nothing listens on `host:port` yet. Checked before spawning because a taken port would otherwise
 * answer our heartbeat with someone else's server for the moment before ours fails to bind.
 */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => resolve(true));
  });
  if (free) await new Promise<void>((resolve) => server.close(() => resolve()));
  return free;
}
