import type { EvalCase, EvalDataset, TargetOutput } from '../types.js';

/** What the runner hands a target with each case. */
export interface TargetContext {
  /** 0-based repeat of the case. */
  readonly repeat: number;
  /** The repeat's seed (the suite seed plus the repeat): model calls pass it on and the cache keys on it. */
  readonly seed: number;
  readonly signal: AbortSignal;
}

/** A target's output, plus the Trellis run it made when it ran one (its scores then go on that run's trace). */
export interface TargetResult extends TargetOutput {
  readonly trace?: { readonly tenantId: string; readonly runId: string };
}

/**
 * Something under evaluation: it turns one case into an output. Failures may be thrown: the runner records them
 * on the case (scored 0 by every metric) and goes on.
 */
export interface EvalTarget {
  /** What was evaluated, in words stored with the run (`retriever hybrid top 100`, `graph rag`). */
  readonly description: string;
  /** The chat model behind the target, when there is one. */
  readonly modelId?: string;
  /** Runs once before the first case: a retriever ingests the dataset's corpus here. */
  prepare?(dataset: EvalDataset, signal: AbortSignal): Promise<void>;
  run(evalCase: EvalCase, context: TargetContext): Promise<TargetResult>;
  /** Frees what `prepare` made (the temporary knowledge base). Never throws. */
  close(): Promise<void>;
}
