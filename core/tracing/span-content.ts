import type { BaseMessage } from '@langchain/core/messages';

/** The most characters one attribute value carries: a long prompt or answer fits; a whole graph state does not. */
export const MAX_ATTRIBUTE_CHARS = 16 * 1024;

const MAX_DEPTH = 6;
const MAX_ITEMS = 50;

/** The text, cut to `max` characters with a marker saying how long it was. */
export function boundedText(text: string, max = MAX_ATTRIBUTE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more characters]`;
}

/**
 * A value as JSON of at most about `max` characters, built without serialising the whole value first: strings are
 * cut, lists and depth are capped, and once the budget is spent the rest is left out. Chat messages become
 * `{ role, content, tool_calls }`, the shape Langfuse renders as a conversation.
 */
export function boundedJson(value: unknown, max = MAX_ATTRIBUTE_CHARS): string {
  if (typeof value === 'string') return boundedText(value, max);
  const budget = { left: max };
  return boundedText(JSON.stringify(toPlain(value, budget, 0)) ?? 'null', max);
}

function toPlain(value: unknown, budget: { left: number }, depth: number): unknown {
  if (budget.left <= 0) return '…';
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const text = boundedText(value, Math.max(budget.left, 16));
    budget.left -= text.length;
    return text;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    budget.left -= 8;
    return value;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return String(value);
  if (depth >= MAX_DEPTH) return '…';
  if (isChatMessage(value)) return toPlain(plainMessage(value), budget, depth);
  if (value instanceof Error) return { error: value.name, message: boundedText(value.message, 1024) };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((item) => toPlain(item, budget, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`…[${value.length - MAX_ITEMS} more items]`);
    return items;
  }
  const plain: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (budget.left <= 0) break;
    if (item === undefined || typeof item === 'function') continue;
    budget.left -= key.length + 4;
    plain[key] = toPlain(item, budget, depth + 1);
  }
  return plain;
}

const ROLES: Record<string, string> = { human: 'user', ai: 'assistant', system: 'system', tool: 'tool', generic: 'user', developer: 'developer' };

/**
 * Whether a value is a LangChain chat message, by the test LangChain's own `isBaseMessage` makes. Written out here
 * so that this module, which the span export thread loads too, does not load LangChain there.
 */
export function isChatMessage(value: unknown): value is BaseMessage {
  return typeof (value as { _getType?: unknown } | null | undefined)?._getType === 'function';
}

// One plain form per message: a conversation's messages come back in every later prompt, and a structured clone
// sends an object it has already sent as a reference.
const plainForms = new WeakMap<BaseMessage, Record<string, unknown>>();

/**
 * A chat message as plain data in the shape Langfuse renders as a conversation: `{ role, content, tool_calls,
 * tool_call_id, name }`. Values are the message's own (nothing is copied), and the result can cross to another
 * thread. Messages do not change, so each has one plain form.
 */
export function plainMessage(message: BaseMessage): Record<string, unknown> {
  let plain = plainForms.get(message);
  if (!plain) {
    plain = toPlainMessage(message);
    plainForms.set(message, plain);
  }
  return plain;
}

function toPlainMessage(message: BaseMessage): Record<string, unknown> {
  const type = message.getType();
  const plain: Record<string, unknown> = { role: ROLES[type] ?? type, content: message.content };
  const calls = (message as { tool_calls?: { name: string; args: unknown; id?: string }[] }).tool_calls;
  if (calls?.length) plain.tool_calls = calls.map(({ name, args, id }) => ({ name, args, id }));
  const toolCallId = (message as { tool_call_id?: string }).tool_call_id;
  if (toolCallId) plain.tool_call_id = toolCallId;
  if (message.name) plain.name = message.name;
  return plain;
}
