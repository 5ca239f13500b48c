import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TrellisConfigSchema } from '../../../core/config-schema.js';
import { openDatabase } from '../../../core/db.js';
import { TrellisError } from '../../../core/errors.js';
import { silentLogger } from '../../../core/logger.js';
import { createGraphStore } from '../../../rag/stores/graph/create-graph-store.js';
import { createNeo4jGraphStore } from '../../../rag/stores/graph/neo4j/neo4j-graph-store.js';
import { ragGraphMigrations } from '../../../rag/stores/graph/sqlite/migrations.js';
import { closedPort } from '../../helpers/closed-port.js';

// The real driver against loopback sockets that are not Neo4j: what a user sees when the server is down, wrong or
// hung, with no Neo4j server needed.
describe('createNeo4jGraphStore connecting', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    // The driver gives up on a handshake that never completes but leaves its socket for the peer to end.
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function listen(onConnection: (socket: Socket) => void): Promise<number> {
    const server = createServer((socket) => {
      sockets.push(socket);
      onConnection(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  it('fails with GRAPH_STORE_UNREACHABLE naming the URI when nothing listens', async () => {
    const uri = `bolt://127.0.0.1:${await closedPort()}`;
    const failure = await createNeo4jGraphStore({ uri, password: 'secret' }).catch((error: unknown) => error);
    expect(TrellisError.isInstance(failure, 'GRAPH_STORE_UNREACHABLE')).toBe(true);
    expect(failure).toMatchObject({ message: expect.stringContaining(uri), details: { uri, operation: 'connect', neo4jCode: 'ServiceUnavailable' } });
    expect((failure as TrellisError).hint).toContain('NEO4J_URI');
  });

  it('fails with GRAPH_STORE_UNREACHABLE for a routing URI too, without echoing credentials written into it', async () => {
    const port = await closedPort();
    const failure = await createNeo4jGraphStore({ uri: `neo4j://admin:hunter2@127.0.0.1:${port}` }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'GRAPH_STORE_UNREACHABLE', details: { uri: `neo4j://127.0.0.1:${port}` } });
    expect(JSON.stringify((failure as TrellisError).toJSON())).not.toContain('hunter2');
  });

  it('fails fast when the peer closes the connection or never answers the handshake', async () => {
    const closing = await listen((socket) => socket.destroy());
    await expect(createNeo4jGraphStore({ uri: `bolt://127.0.0.1:${closing}` })).rejects.toMatchObject({ code: 'GRAPH_STORE_UNREACHABLE' });
    const silent = await listen(() => {});
    const started = performance.now();
    await expect(createNeo4jGraphStore({ uri: `bolt://127.0.0.1:${silent}`, connectionTimeoutMs: 300 })).rejects.toMatchObject({ code: 'GRAPH_STORE_UNREACHABLE' });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects a URI that is not Neo4j\'s with CONFIG_INVALID', async () => {
    await expect(createNeo4jGraphStore({ uri: 'http://127.0.0.1:7474' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('createGraphStore({ store: neo4j })', () => {
  const settings = (uri?: string) => TrellisConfigSchema.parse({ rag: { graph: { store: 'neo4j', neo4j: { uri, password: 'pw' } } } }).rag.graph;
  const { db } = openDatabase({ file: ':memory:', migrations: ragGraphMigrations });
  afterAll(() => db.close());

  it('asks for NEO4J_URI when none is set', async () => {
    await expect(createGraphStore({ settings: settings(), db, logger: silentLogger }))
      .rejects.toMatchObject({ code: 'CONFIG_INVALID', hint: expect.stringContaining('NEO4J_URI') });
  });

  it('builds the Neo4j store, which reports the server it cannot reach', async () => {
    const uri = `bolt://127.0.0.1:${await closedPort()}`;
    await expect(createGraphStore({ settings: settings(uri), db, logger: silentLogger })).rejects.toMatchObject({ code: 'GRAPH_STORE_UNREACHABLE', details: { uri } });
  });
});
