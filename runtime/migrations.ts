import type { Migration } from '../core/db.js';
import { coreMigrations } from '../core/migrations.js';
import { knowledgeMigrations } from '../rag/knowledge/migrations.js';
import { ragKeywordMigrations } from '../rag/migrations.js';

/** Every layer's migrations, in the order they must run (ids ascend across layers: 0001 core, 0100+ rag). */
export const runtimeMigrations: readonly Migration[] = [...coreMigrations, ...knowledgeMigrations, ...ragKeywordMigrations];
