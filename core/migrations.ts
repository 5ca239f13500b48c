import type { Migration } from './db.js';

/** The core layer's schema. Other layers export their own lists; runtime/ concatenates them in id order. */
export const coreMigrations: readonly Migration[] = [
  {
    id: '0001-core-instance',
    // One row per fact about this installation (its id, when it was created), so that traces and metrics from
    // several instances can be told apart.
    up: `CREATE TABLE instance (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;`,
  },
];
