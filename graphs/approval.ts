import { AIMessage, ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import { z } from 'zod';
import { TrellisError } from '../core/errors.js';

/** One tool call waiting for a person, as shown to them. */
export interface ApprovalRequest {
  readonly toolCallId: string;
  /** The tool's name. */
  readonly name: string;
  /** The arguments the model proposed. */
  readonly args: Record<string, unknown>;
  /** The tool's description, so the person knows what approving it does. */
  readonly description: string;
}

/** The value a react graph interrupts with (`result.__interrupt__[0].value`); the API sends it as `approval-request`. */
export interface ApprovalInterrupt {
  readonly type: 'approval-request';
  readonly requests: readonly ApprovalRequest[];
  /** Set when the graph asks again because the previous resume value was invalid. */
  readonly error?: { readonly code: 'RUN_RESUME_INVALID'; readonly message: string };
}

const ApprovalDecisionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('approve') }),
  z.strictObject({ action: z.literal('edit'), args: z.record(z.string(), z.unknown()) }),
  z.strictObject({ action: z.literal('reject'), reason: z.string().max(2000).optional() }),
]);

/** What a person decides for one call: run it, run it with other arguments, or refuse it (with a reason the model reads). */
export type ApprovalDecision = z.output<typeof ApprovalDecisionSchema>;

/**
 * The resume value of an approval interrupt (`new Command({ resume })`): one decision per pending tool call id, or
 * one decision for all of them.
 */
const ManyDecisionsSchema = z.strictObject({ decisions: z.record(z.string(), ApprovalDecisionSchema) });
export const ApprovalResumeSchema = z.union([ManyDecisionsSchema, ApprovalDecisionSchema]);
export type ApprovalResume = z.input<typeof ApprovalResumeSchema>;

/**
 * Validates a resume value against the pending requests: every request needs a decision and every decision a
 * request. Throws RUN_RESUME_INVALID otherwise. Entry points call it before resuming (the requests are the pending
 * interrupt's, from `graph.getState(config)`), to answer a bad value with a 400 and leave the thread untouched.
 */
export function parseApprovalResume(value: unknown, requests: readonly ApprovalRequest[]): ReadonlyMap<string, ApprovalDecision> {
  const pendingIds = requests.map((request) => request.toolCallId);
  const invalid = (reason: string) =>
    new TrellisError('RUN_RESUME_INVALID', `resume value rejected: ${reason}; pending tool calls: ${pendingIds.join(', ')}`, {
      details: { pending: pendingIds },
    });
  // Parsed against the branch the value aims at: a failed union only says "Invalid input".
  const aimsAtMany = typeof value === 'object' && value !== null && 'decisions' in value;
  const parsed = (aimsAtMany ? ManyDecisionsSchema : ApprovalDecisionSchema).safeParse(value);
  if (!parsed.success) {
    const expected = 'expected {"decisions": {"<toolCallId>": {"action": ...}}} or one {"action": "approve" | "edit" | "reject"}';
    throw invalid(`${z.prettifyError(parsed.error).replaceAll('\n', ' ')} (${expected})`);
  }
  if (!('decisions' in parsed.data)) {
    const decision = parsed.data;
    return new Map(pendingIds.map((id) => [id, decision]));
  }
  const { decisions } = parsed.data;
  const unknown = Object.keys(decisions).filter((id) => !pendingIds.includes(id));
  if (unknown.length > 0) throw invalid(`no pending tool call has the id ${unknown.join(', ')}`);
  const missing = pendingIds.filter((id) => !(id in decisions));
  if (missing.length > 0) throw invalid(`no decision for ${missing.join(', ')}`);
  return new Map(Object.entries(decisions));
}

/**
 * Applies the decisions to the model's message: edited arguments replace the proposed ones (same message id, so
 * the state reducer replaces it in place), and each rejection becomes an error ToolMessage telling the model that
 * a person refused the call and why, so it can go on without it.
 */
export function applyApprovalDecisions(
  message: AIMessage,
  decisions: ReadonlyMap<string, ApprovalDecision>,
): { readonly edited?: AIMessage; readonly rejections: readonly ToolMessage[] } {
  const toolCalls = message.tool_calls ?? [];
  const rejections = toolCalls.flatMap((call) => {
    const decision = call.id === undefined ? undefined : decisions.get(call.id);
    if (decision?.action !== 'reject') return [];
    const why = decision.reason?.trim() ? ` Reason: ${decision.reason.trim()}` : ' No reason was given.';
    return [new ToolMessage({
      content: `The person reviewing this call rejected it, so ${call.name} did not run.${why} Do not retry the same call; continue without it or ask the user.`,
      tool_call_id: call.id!,
      name: call.name,
      status: 'error',
    })];
  });
  if (![...decisions.values()].some((decision) => decision.action === 'edit')) return { rejections };
  const editedCalls = toolCalls.map((call): ToolCall => {
    const decision = call.id === undefined ? undefined : decisions.get(call.id);
    return decision?.action === 'edit' ? { ...call, args: decision.args } : call;
  });
  // Provider-specific copies of the calls (OpenAI's additional_kwargs.tool_calls) would still hold the old arguments.
  const { tool_calls: _stale, ...additionalKwargs } = message.additional_kwargs;
  const edited = new AIMessage({
    id: message.id,
    content: message.content,
    name: message.name,
    tool_calls: editedCalls,
    additional_kwargs: additionalKwargs,
    response_metadata: message.response_metadata,
    usage_metadata: message.usage_metadata,
  });
  return { edited, rejections };
}
