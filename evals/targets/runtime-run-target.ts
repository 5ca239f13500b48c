import { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import type { RunManager } from '../../runtime/run-manager.js';
import type { RetrievedPassage, ToolCallRecord } from '../types.js';
import { casePrompt } from './case-prompt.js';
import { datasetDocumentId } from './document-id.js';
import type { EvalTarget } from './target.js';

export interface RuntimeRunTargetOptions {
  readonly runManager: RunManager;
  readonly kind: 'graph' | 'agent';
  /** The graph or agent name (`rag`, `assistant`, ...). */
  readonly name: string;
  readonly tenantId: string;
  readonly kb?: string;
  readonly modelId?: string;
}

/** The passages a graph's final state holds (rag, research): what it retrieved, best first. */
const StatePassages = z.array(z.looseObject({ text: z.string().optional(), score: z.number().optional(), citation: z.looseObject({ documentId: z.string() }) }));

/**
 * A graph or agent run in-process through the runtime's run manager, exactly as the API runs it: on a new thread,
 * recorded and traced, so scores can go on the run's trace. Each case is a new thread (cases must not see each
 * other). The answer is the run's final answer; tool calls come from its events; passages from its final state.
 */
export function createRuntimeRunTarget(options: RuntimeRunTargetOptions): EvalTarget {
  const { runManager, tenantId } = options;
  return {
    description: `${options.kind} ${options.name}${options.kb ? ` kb ${options.kb}` : ''}`,
    modelId: options.modelId,
    async run(evalCase, context) {
      const started = performance.now();
      const toolCalls: ToolCallRecord[] = [];
      let runId: string | undefined;
      let answer: string | undefined;
      let retrieved: RetrievedPassage[] | undefined;
      const events = runManager.stream(
        tenantId,
        { target: options.name, message: casePrompt(evalCase), kb: options.kb, durability: 'exit', tokens: false, metadata: { source: 'eval', caseId: evalCase.id } },
        context.signal,
      );
      for await (const event of events) {
        if (event.type === 'run-start') runId = event.runId;
        if (event.type === 'tool-call') toolCalls.push({ name: event.name, arguments: event.args });
        if (event.type === 'run-error') throw new TrellisError('EVAL_TARGET_UNAVAILABLE', `${options.name} failed: ${event.code} ${event.message}`, { details: { code: event.code } });
        if (event.type === 'run-end') {
          answer = event.answer;
          retrieved = passagesOf(event.state);
        }
      }
      return {
        answer,
        retrieved,
        toolCalls,
        latencyMs: performance.now() - started,
        trace: runId ? { tenantId, runId } : undefined,
      };
    },
    async close() {},
  };
}

function passagesOf(state: Record<string, unknown>): RetrievedPassage[] | undefined {
  const parsed = StatePassages.safeParse(state.passages);
  if (!parsed.success) return undefined;
  return parsed.data.map((hit) => ({ id: datasetDocumentId(hit.citation.documentId), text: hit.text, score: hit.score }));
}
