import { describe } from 'vitest';
import { openDatabase } from '../../../core/db.js';
import { silentLogger } from '../../../core/logger.js';
import { createNeo4jGraphStore } from '../../../rag/stores/graph/neo4j/neo4j-graph-store.js';
import { ragGraphMigrations } from '../../../rag/stores/graph/sqlite/migrations.js';
import { createSqliteGraphStore } from '../../../rag/stores/graph/sqlite/sqlite-graph-store.js';
import { describeGraphStoreConformance } from '../../helpers/graph-store-conformance.js';

describeGraphStoreConformance({
  name: 'embedded SQLite',
  async create() {
    const { db } = openDatabase({ file: ':memory:', migrations: ragGraphMigrations });
    return { store: createSqliteGraphStore({ db }), async destroy() { db.close(); } };
  },
});

// No Neo4j server runs in CI or on this machine; set NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD) to run the suite
// against one, e.g. `docker run -p 7687:7687 -e NEO4J_AUTH=neo4j/password neo4j:5`. The suite's scopes are random
// tenants, dropped afterwards, so any database will do.
const uri = process.env.NEO4J_URI;
if (!uri) console.warn('Neo4j graph store conformance skipped: NEO4J_URI is not set (and NEO4J_USER, NEO4J_PASSWORD if needed).');

describe.skipIf(!uri)('Neo4j graph store (needs NEO4J_URI)', () => {
  describeGraphStoreConformance({
    name: `Neo4j at ${uri}`,
    async create() {
      const store = await createNeo4jGraphStore({
        uri: uri!, user: process.env.NEO4J_USER, password: process.env.NEO4J_PASSWORD, database: process.env.NEO4J_DATABASE, logger: silentLogger,
      });
      return { store, destroy: () => store.close() };
    },
  });
});
