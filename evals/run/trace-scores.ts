import type { Logger } from '../../core/logger.js';
import type { FeedbackService } from '../../core/tracing/feedback-service.js';
import type { CaseResult } from '../results/results-store.js';
import type { TargetResult } from '../targets/target.js';

/**
 * Puts each case's scores on the trace of the Trellis run the target made (in-process graphs and agents), through
 * the feedback service: stored beside the run and, when tracing goes to Langfuse, sent there as scores named
 * `eval.<metric>`, so a trace shows how it was judged. Cases without a run (retrievers, bare models) have no trace.
 */
export function createTraceScoreReporter(feedback: FeedbackService, runId: string, logger: Logger): (result: CaseResult, output: TargetResult) => void {
  return (result, output) => {
    if (!output.trace) return;
    for (const score of result.scores) {
      if (score.value === null) continue;
      try {
        feedback.record({
          tenantId: output.trace.tenantId,
          runId: output.trace.runId,
          name: `eval.${score.metric}`,
          score: score.value,
          comment: `eval run ${runId}, case ${result.caseId}, repeat ${result.repeat}`,
        });
      } catch (error) {
        logger.warn({ err: error, runId: output.trace.runId, metric: score.metric }, 'eval score not recorded on the run trace');
      }
    }
  };
}
