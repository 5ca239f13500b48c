import type { Migration } from '../../core/db.js';

/**
 * The eval harness's tables, in the runtime's database so that the API, the web UI and `trellis eval` read one
 * place. A case and its scores are written in one transaction: a resumed run skips exactly the cases stored.
 */
export const evalMigrations: readonly Migration[] = [
  {
    id: '0800-evals-results',
    up: `
      CREATE TABLE eval_runs (
        id TEXT PRIMARY KEY,
        suite TEXT NOT NULL,
        -- The suite as validated (defaults filled in), so a report says exactly what ran.
        config TEXT NOT NULL,
        dataset TEXT NOT NULL,
        target TEXT NOT NULL,
        -- JSON: {target model, judge model} ids, and code version {packageVersion, gitSha}.
        models TEXT NOT NULL,
        code_version TEXT NOT NULL,
        -- JSON: metric name -> {version, higherIsBetter}.
        metrics TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
        error TEXT,
        expected_cases INTEGER,
        started_at TEXT NOT NULL,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX eval_runs_by_suite ON eval_runs (suite, started_at);

      CREATE TABLE eval_cases (
        run_id TEXT NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
        case_id TEXT NOT NULL,
        repeat INTEGER NOT NULL,
        -- The case's place in the dataset, so reports list cases in the dataset's order.
        position INTEGER NOT NULL,
        category TEXT,
        latency_ms REAL NOT NULL,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cost_usd REAL,
        error_code TEXT,
        error_message TEXT,
        -- JSON: the output, shortened for reports (answer, top ids, tool calls).
        output TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        PRIMARY KEY (run_id, case_id, repeat)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE eval_scores (
        run_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        repeat INTEGER NOT NULL,
        metric TEXT NOT NULL,
        value REAL,
        details TEXT,
        PRIMARY KEY (run_id, metric, case_id, repeat),
        FOREIGN KEY (run_id, case_id, repeat) REFERENCES eval_cases (run_id, case_id, repeat) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;

      -- Model responses by request hash: a re-run or a resumed run does not pay for the same call twice.
      CREATE TABLE eval_model_cache (
        key TEXT PRIMARY KEY,
        model_id TEXT NOT NULL,
        response TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
];
