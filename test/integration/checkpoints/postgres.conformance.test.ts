import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { createCheckpointer } from '../../../core/checkpointer.js';
import { silentLogger } from '../../../core/logger.js';
import { describeCheckpointerConformance } from './conformance.js';

// `.ci/run` starts the machine's PostgreSQL and sets this; elsewhere the suite is skipped, saying why.
const url = process.env.TRELLIS_TEST_POSTGRES_URL;
if (!url) {
  console.warn('PostgresSaver conformance skipped: TRELLIS_TEST_POSTGRES_URL is not set (`.ci/postgres` prints one).');
}

/** The one pg call the clean-up needs; pg ships no types (see core/postgres-checkpointer.ts). */
interface AdminClient {
  connect(): Promise<void>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
}

// One schema per spec group, dropped afterwards: isolation as the suite requires, nothing left in the database.
const runPrefix = `conformance_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];

async function dropSchemas(): Promise<void> {
  if (schemas.length === 0) return;
  const { Client } = createRequire(import.meta.url)('pg') as { Client: new (config: { connectionString: string }) => AdminClient };
  const client = new Client({ connectionString: url! });
  await client.connect();
  try {
    for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

afterAll(dropSchemas);

describe.skipIf(!url)('createCheckpointer({ provider: postgres }) conformance (needs TRELLIS_TEST_POSTGRES_URL)', () => {
  describeCheckpointerConformance({
    name: '@langchain/langgraph-checkpoint-postgres',
    async create() {
      const schema = `${runPrefix}_${schemas.length}`;
      schemas.push(schema);
      const checkpointer = await createCheckpointer({
        settings: { provider: 'postgres', url, schema },
        dataDir: '/nonexistent',
        logger: silentLogger,
      });
      return { checkpointer, destroy: () => checkpointer.close() };
    },
  });
});

describe.skipIf(!url)('createCheckpointer({ provider: postgres }) set-up', () => {
  it('lets several replicas set up one schema at once (they take turns under an advisory lock)', async () => {
    const schema = `${runPrefix}_replicas`;
    schemas.push(schema);
    const settings = { provider: 'postgres' as const, url, schema };
    const replicas = await Promise.all(
      Array.from({ length: 4 }, () => createCheckpointer({ settings, dataDir: '/nonexistent', logger: silentLogger })),
    );
    for (const replica of replicas) expect(await replica.check()).toMatchObject({ state: 'ok' });
    await Promise.all(replicas.map((replica) => replica.close()));
  });
});
