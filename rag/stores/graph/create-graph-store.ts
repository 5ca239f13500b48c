import type { TrellisConfig } from '../../../core/config.js';
import type { SqliteDatabase } from '../../../core/db.js';
import { TrellisError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { createNeo4jGraphStore } from './neo4j/neo4j-graph-store.js';
import { createSqliteGraphStore } from './sqlite/sqlite-graph-store.js';
import type { GraphStore } from './types.js';

/** The `rag.graph` settings. */
export type GraphSettings = TrellisConfig['rag']['graph'];

/** Options for {@link createGraphStore}. */
export interface CreateGraphStoreOptions {
  readonly settings: GraphSettings;
  /** The runtime's database, migrated with `ragGraphMigrations` (the embedded store's tables live there). */
  readonly db: SqliteDatabase;
  readonly logger: Logger;
}

/**
 * The graph store the settings name: the embedded SQLite store, or Neo4j at scale.
 *
 * @example
 * const graphStore = await createGraphStore({ settings: config.rag.graph, db, logger });
 */
export async function createGraphStore(options: CreateGraphStoreOptions): Promise<GraphStore> {
  const { settings } = options;
  switch (settings.store) {
    case 'embedded':
      return createSqliteGraphStore({ db: options.db });
    case 'neo4j': {
      const { uri, user, password, database } = settings.neo4j;
      if (!uri) {
        throw new TrellisError('CONFIG_INVALID', 'rag.graph.store is neo4j, but no Neo4j URI is set', {
          hint: 'Set NEO4J_URI (rag.graph.neo4j.uri), e.g. neo4j://localhost:7687, or set rag.graph.store to embedded.',
        });
      }
      return createNeo4jGraphStore({ uri, user, password, database, logger: options.logger });
    }
  }
}
