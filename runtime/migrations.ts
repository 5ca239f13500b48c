import { coreMigrations } from '../core/migrations.js';
import type { Migration } from '../core/db.js';

/** Every layer's migrations, in the order they must run. Later layers append their lists here. */
export const runtimeMigrations: readonly Migration[] = [...coreMigrations];
