import path from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../core/db.js';
import { EvalResults } from '../../evals/results/results-store.js';
import { parseSuite } from '../../evals/suite/load-suite.js';
import type { Suite } from '../../evals/suite/suite-schema.js';
import type { EvalTarget, TargetContext } from '../../evals/targets/target.js';
import type { EvalCase, EvalDataset } from '../../evals/types.js';
import { runtimeMigrations } from '../../runtime/migrations.js';
import { makeTempDir } from './temp-dir.js';

/** The runtime's database (every migration, evals included) in a temp dir, with the eval results store on it. */
export function openEvalResults(): { db: SqliteDatabase; results: EvalResults; dispose: () => void } {
  const temp = makeTempDir('trellis-evals-');
  const { db } = openDatabase({ file: path.join(temp.dir, 'trellis.db'), migrations: runtimeMigrations });
  return {
    db,
    results: new EvalResults(db),
    dispose: () => {
      db.close();
      temp.remove();
    },
  };
}

/** `count` question cases `q<i>` whose gold answer is `a<i>`, in categories `even` / `odd`, generated lazily. */
export function syntheticDataset(count: number, name = 'synthetic'): EvalDataset {
  return {
    name,
    size: count,
    async *cases(): AsyncGenerator<EvalCase> {
      for (let index = 0; index < count; index++) {
        yield { id: `case-${index}`, input: `q${index}`, category: index % 2 === 0 ? 'even' : 'odd', expected: { answers: [`a${index}`] } };
      }
    },
  };
}

/** A target answering through `answer`, recording every call and how many ran at once. */
export function recordingTarget(answer: (evalCase: EvalCase, context: TargetContext) => string | Promise<string>): EvalTarget & {
  calls: { caseId: string; repeat: number; seed: number }[];
  maxInFlight: number;
} {
  let inFlight = 0;
  const target = {
    description: 'recording target',
    calls: [] as { caseId: string; repeat: number; seed: number }[],
    maxInFlight: 0,
    async run(evalCase: EvalCase, context: TargetContext) {
      inFlight += 1;
      target.maxInFlight = Math.max(target.maxInFlight, inFlight);
      target.calls.push({ caseId: evalCase.id, repeat: context.repeat, seed: context.seed });
      try {
        const started = performance.now();
        const text = await answer(evalCase, context);
        return { answer: text, latencyMs: performance.now() - started };
      } finally {
        inFlight -= 1;
      }
    },
    async close() {},
  };
  return target;
}

/** A suite of the synthetic dataset scored by exact match, with `overrides` on top. */
export function syntheticSuite(overrides: Record<string, unknown> = {}): Suite {
  return parseSuite(
    { name: 'synthetic', dataset: { name: 'jsonl' }, target: { kind: 'model' }, metrics: ['exact_match'], ...overrides },
    'synthetic suite',
  );
}
