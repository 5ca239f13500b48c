import type { Migration } from '../core/db.js';
import { coreMigrations } from '../core/migrations.js';
import { knowledgeMigrations } from '../rag/knowledge/migrations.js';
import { graphsMigrations } from '../graphs/migrations.js';
import { ragKeywordMigrations } from '../rag/migrations.js';
import { ragGraphMigrations } from '../rag/stores/graph/sqlite/migrations.js';
import { tracingMigrations } from '../core/tracing/migrations.js';
import { evalMigrations } from '../evals/results/migrations.js';
import { apiKeyMigrations } from './api-keys.js';
import { runRecordMigrations } from './run-records.js';
import { threadMigrations } from './threads.js';

/** Every layer's migrations, in the order they must run (ids ascend across layers: 0001 core, 0100+ rag, 0300 graphs, 0400+ runtime, 0600 tracing, 0800 evals). */
export const runtimeMigrations: readonly Migration[] = [
  ...coreMigrations,
  ...knowledgeMigrations,
  ...ragKeywordMigrations,
  ...ragGraphMigrations,
  ...graphsMigrations,
  ...threadMigrations,
  ...runRecordMigrations,
  ...apiKeyMigrations,
  ...tracingMigrations,
  ...evalMigrations,
];
