import { isAIMessage, isBaseMessage, type AIMessage } from '@langchain/core/messages';
import type { RunEvent } from '../../../graphs/run-events.js';

/** What a finished run answers an OpenAI client: text or client tool calls, and Trellis's extension. */
export interface CompletionOutcome {
  readonly content: string;
  readonly toolCalls: readonly OpenAiToolCall[];
  readonly finishReason: 'stop' | 'tool_calls' | 'length';
  readonly usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  readonly extension: TrellisExtension;
}

export interface OpenAiToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/**
 * The `trellis` field of every completion (and of the last stream chunk): the thread and run that produced it,
 * the passages it cites, and, when the run waits for a person, the approval it waits for.
 */
export type TrellisExtension = {
  readonly thread_id: string | null;
  readonly run_id: string;
  readonly status: 'completed' | 'interrupted';
  readonly citations: unknown[];
  readonly approval?: unknown;
};

/** Reads the outcome from a run's `run-end` event (and the approval request it stopped at, if any). */
export function completionOutcome(end: Extract<RunEvent, { type: 'run-end' }>, approval: unknown, threadId: string | null): CompletionOutcome {
  const last = lastAiMessage(end.state);
  const toolCalls = end.status === 'completed' ? (last?.tool_calls ?? []).map(toOpenAiToolCall) : [];
  const finish = last?.response_metadata?.finish_reason;
  const content = end.status === 'interrupted' ? approvalNotice(approval) : end.answer;
  return {
    content,
    toolCalls,
    finishReason: toolCalls.length > 0 ? 'tool_calls' : finish === 'length' || finish === 'max_turns' ? 'length' : 'stop',
    usage: usageOf(last),
    extension: {
      thread_id: threadId,
      run_id: end.runId,
      status: end.status,
      citations: Array.isArray(end.state.citations) ? (end.state.citations as unknown[]) : [],
      ...(end.status === 'interrupted' ? { approval } : {}),
    },
  };
}

export function toOpenAiToolCall(call: { id?: string; name: string; args: Record<string, unknown> }, index: number): OpenAiToolCall {
  return { id: call.id ?? `call_${index}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } };
}

function approvalNotice(approval: unknown): string {
  const requests = (approval as { requests?: { name: string; args: unknown }[] } | undefined)?.requests ?? [];
  const calls = requests.map((request) => `${request.name} ${JSON.stringify(request.args)}`).join('; ');
  return `Waiting for approval: ${calls || 'a tool call'}. Answer with {"thread_id": ..., "resume": {"action": "approve"}} (or "reject").`;
}

function lastAiMessage(state: Record<string, unknown>): AIMessage | undefined {
  const messages = Array.isArray(state.messages) ? (state.messages as unknown[]) : [];
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (isBaseMessage(message) && isAIMessage(message)) return message;
  }
  return undefined;
}

function usageOf(message: AIMessage | undefined): CompletionOutcome['usage'] {
  const usage = message?.usage_metadata;
  if (!usage) return undefined;
  return { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens };
}
