import type { SqliteDatabase } from '../../core/db.js';
import { TrellisError } from '../../core/errors.js';
import type { Suite } from '../suite/suite-schema.js';
import type { MetricScore } from '../types.js';

export type EvalRunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/** What identifies the code that produced a run. */
export interface CodeVersion {
  readonly packageVersion: string;
  /** null outside a git checkout (an installed package). */
  readonly gitSha: string | null;
}

/** The models a run depended on, so two runs can be told apart by more than their suite. */
export interface RunModels {
  readonly target?: string;
  readonly judge?: string;
}

export interface MetricInfo {
  readonly version: string;
  readonly higherIsBetter: boolean;
}

/** One stored run: the suite as it ran, what ran it, and how it ended. */
export interface EvalRunRecord {
  readonly id: string;
  readonly suite: string;
  readonly config: Suite;
  readonly dataset: string;
  readonly target: string;
  readonly models: RunModels;
  readonly codeVersion: CodeVersion;
  readonly metrics: Readonly<Record<string, MetricInfo>>;
  readonly status: EvalRunStatus;
  readonly error: string | null;
  /** Cases × repeats, when the dataset knew its size up front. */
  readonly expectedCases: number | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

export type NewEvalRun = Omit<EvalRunRecord, 'status' | 'error' | 'finishedAt'>;

/** One case of one repeat, as the runner stores it with its scores. */
export interface CaseResult {
  readonly caseId: string;
  readonly repeat: number;
  /** 0-based place of the case in the dataset. */
  readonly position: number;
  readonly category: string | null;
  readonly latencyMs: number;
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly costUsd: number | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  /** A shortened view of the output for reports. */
  readonly output: Readonly<Record<string, unknown>>;
  readonly scores: readonly MetricScore[];
}

/** A stored case row with its scores by metric, as reports list them. */
export interface StoredCase extends Omit<CaseResult, 'scores'> {
  readonly scores: Readonly<Record<string, number | null>>;
}

interface RunRow {
  id: string;
  suite: string;
  config: string;
  dataset: string;
  target: string;
  models: string;
  code_version: string;
  metrics: string;
  status: EvalRunStatus;
  error: string | null;
  expected_cases: number | null;
  started_at: string;
  finished_at: string | null;
}

interface CaseRow {
  case_id: string;
  repeat: number;
  position: number;
  category: string | null;
  latency_ms: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  error_code: string | null;
  error_message: string | null;
  output: string;
  scores: string | null;
}

/** Shortest run-id prefix the CLI accepts, so a typo does not silently pick another run. */
const MIN_PREFIX = 4;

/**
 * Eval runs, their cases and scores in SQLite. Reads that cover a whole run are iterators over statements, so a
 * 20,000-case run is never loaded into memory at once.
 */
export class EvalResults {
  constructor(private readonly db: SqliteDatabase, private readonly now: () => Date = () => new Date()) {}

  createRun(run: NewEvalRun): EvalRunRecord {
    this.db
      .prepare(
        `INSERT INTO eval_runs (id, suite, config, dataset, target, models, code_version, metrics, status, expected_cases, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(run.id, run.suite, JSON.stringify(run.config), run.dataset, run.target, JSON.stringify(run.models),
        JSON.stringify(run.codeVersion), JSON.stringify(run.metrics), run.expectedCases, run.startedAt);
    return this.get(run.id);
  }

  /** A run by id or by a unique prefix of at least four characters; EVAL_RUN_NOT_FOUND otherwise. */
  get(idOrPrefix: string): EvalRunRecord {
    const exact = this.db.prepare('SELECT * FROM eval_runs WHERE id = ?').get(idOrPrefix) as RunRow | undefined;
    if (exact) return toRecord(exact);
    if (idOrPrefix.length >= MIN_PREFIX && /^[\w-]+$/.test(idOrPrefix)) {
      const matches = this.db.prepare("SELECT * FROM eval_runs WHERE id LIKE ? || '%' LIMIT 2").all(idOrPrefix) as RunRow[];
      if (matches.length === 1) return toRecord(matches[0]!);
      if (matches.length > 1) {
        throw new TrellisError('EVAL_RUN_NOT_FOUND', `run id prefix ${idOrPrefix} matches several runs; give more of the id`, { details: { run: idOrPrefix } });
      }
    }
    throw new TrellisError('EVAL_RUN_NOT_FOUND', `eval run ${idOrPrefix} not found`, { details: { run: idOrPrefix } });
  }

  /** Newest first. */
  list(options: { suite?: string; limit?: number } = {}): readonly EvalRunRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM eval_runs WHERE (? IS NULL OR suite = ?) ORDER BY started_at DESC, rowid DESC LIMIT ?`)
      .all(options.suite ?? null, options.suite ?? null, options.limit ?? 50) as RunRow[];
    return rows.map(toRecord);
  }

  /** The newest completed run of `suite` other than `excluding`, for gates and reports without an explicit one. */
  latestCompleted(suite: string, excluding?: string): EvalRunRecord | undefined {
    const row = this.db
      .prepare(`SELECT * FROM eval_runs WHERE suite = ? AND status = 'completed' AND id IS NOT ? ORDER BY started_at DESC, rowid DESC LIMIT 1`)
      .get(suite, excluding ?? null) as RunRow | undefined;
    return row && toRecord(row);
  }

  /** Completed runs of `suite` up to and including `until`'s start, oldest first: the run-to-run history. */
  history(suite: string, until: EvalRunRecord, limit: number): readonly EvalRunRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM eval_runs WHERE suite = ? AND (status = 'completed' OR id = ?) AND started_at <= ? ORDER BY started_at DESC, rowid DESC LIMIT ?`)
      .all(suite, until.id, until.startedAt, limit) as RunRow[];
    return rows.map(toRecord).reverse();
  }

  markRunning(id: string): void {
    this.db.prepare("UPDATE eval_runs SET status = 'running', error = NULL, finished_at = NULL WHERE id = ?").run(id);
  }

  finish(id: string, status: Exclude<EvalRunStatus, 'running'>, error?: string): void {
    this.db.prepare('UPDATE eval_runs SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error ?? null, this.now().toISOString(), id);
  }

  hasCase(runId: string, caseId: string, repeat: number): boolean {
    return this.db.prepare('SELECT 1 FROM eval_cases WHERE run_id = ? AND case_id = ? AND repeat = ?').get(runId, caseId, repeat) !== undefined;
  }

  /** Stores a case and its scores together: after a crash a case is either wholly there or not at all. */
  recordCase(runId: string, result: CaseResult): void {
    const insertCase = this.db.prepare(
      `INSERT INTO eval_cases (run_id, case_id, repeat, position, category, latency_ms, input_tokens, output_tokens, cost_usd,
         error_code, error_message, output, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertScore = this.db.prepare('INSERT INTO eval_scores (run_id, case_id, repeat, metric, value, details) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      insertCase.run(runId, result.caseId, result.repeat, result.position, result.category, result.latencyMs, result.inputTokens, result.outputTokens,
        result.costUsd, result.error?.code ?? null, result.error?.message ?? null, JSON.stringify(result.output), this.now().toISOString());
      for (const score of result.scores) {
        const value = score.value === null || Number.isFinite(score.value) ? score.value : null;
        insertScore.run(runId, result.caseId, result.repeat, score.metric, value, score.details ? JSON.stringify(score.details) : null);
      }
    })();
  }

  countCases(runId: string): number {
    return this.db.prepare('SELECT count(*) FROM eval_cases WHERE run_id = ?').pluck().get(runId) as number;
  }

  /** Every case row with its scores, in the dataset's order. */
  *cases(runId: string, options: { limit?: number } = {}): Generator<StoredCase> {
    const statement = this.db.prepare(
      `SELECT c.*, (SELECT json_group_object(s.metric, s.value) FROM eval_scores s
                    WHERE s.run_id = c.run_id AND s.case_id = c.case_id AND s.repeat = c.repeat) AS scores
       FROM eval_cases c WHERE c.run_id = ? ORDER BY c.position, c.repeat LIMIT ?`,
    );
    for (const row of statement.iterate(runId, options.limit ?? -1) as IterableIterator<CaseRow>) {
      yield {
        caseId: row.case_id,
        repeat: row.repeat,
        position: row.position,
        category: row.category,
        latencyMs: row.latency_ms,
        inputTokens: row.input_tokens,
        outputTokens: row.output_tokens,
        costUsd: row.cost_usd,
        error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
        output: JSON.parse(row.output) as Record<string, unknown>,
        scores: row.scores ? (JSON.parse(row.scores) as Record<string, number | null>) : {},
      };
    }
  }

  /**
   * Each case's score on each metric, averaged over its repeats (null scores, "not applicable", left out), ordered
   * by metric then case id: what summaries, comparisons and plots fold over.
   */
  *caseMeans(runId: string): Generator<{ metric: string; caseId: string; category: string | null; value: number }> {
    const statement = this.db.prepare(
      `SELECT s.metric AS metric, s.case_id AS caseId, max(c.category) AS category, avg(s.value) AS value
       FROM eval_scores s JOIN eval_cases c ON c.run_id = s.run_id AND c.case_id = s.case_id AND c.repeat = s.repeat
       WHERE s.run_id = ? AND s.value IS NOT NULL GROUP BY s.metric, s.case_id ORDER BY s.metric, s.case_id`,
    );
    yield* statement.iterate(runId) as IterableIterator<{ metric: string; caseId: string; category: string | null; value: number }>;
  }

  /** Each repeat's mean on each metric: the spread between repeats. */
  repeatMeans(runId: string): readonly { metric: string; repeat: number; value: number }[] {
    return this.db
      .prepare('SELECT metric, repeat, avg(value) AS value FROM eval_scores WHERE run_id = ? AND value IS NOT NULL GROUP BY metric, repeat')
      .all(runId) as { metric: string; repeat: number; value: number }[];
  }

  /** Latencies of every case (ms), streamed. */
  *latencies(runId: string): Generator<number> {
    yield* this.db.prepare('SELECT latency_ms FROM eval_cases WHERE run_id = ?').pluck().iterate(runId) as IterableIterator<number>;
  }

  /** Totals over a run's cases: errors, tokens, cost. */
  totals(runId: string): { cases: number; errors: number; inputTokens: number; outputTokens: number; costUsd: number } {
    return this.db
      .prepare(
        `SELECT count(*) AS cases, count(error_code) AS errors, coalesce(sum(input_tokens), 0) AS inputTokens,
                coalesce(sum(output_tokens), 0) AS outputTokens, coalesce(sum(cost_usd), 0) AS costUsd
         FROM eval_cases WHERE run_id = ?`,
      )
      .get(runId) as { cases: number; errors: number; inputTokens: number; outputTokens: number; costUsd: number };
  }
}

function toRecord(row: RunRow): EvalRunRecord {
  return {
    id: row.id,
    suite: row.suite,
    config: JSON.parse(row.config) as Suite,
    dataset: row.dataset,
    target: row.target,
    models: JSON.parse(row.models) as RunModels,
    codeVersion: JSON.parse(row.code_version) as CodeVersion,
    metrics: JSON.parse(row.metrics) as Record<string, MetricInfo>,
    status: row.status,
    error: row.error,
    expectedCases: row.expected_cases,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
