import { isBaseMessage } from '@langchain/core/messages';

/**
 * JSON as LangGraph's server writes it: LangChain messages become plain dicts (`{ type: 'ai', content, id,
 * tool_calls, ... }`, what the SDK's `Message` type describes) instead of their `lc` constructor form.
 *
 * The replacer reads the holder (`this[key]`), not `value`: JSON.stringify has already called the message's own
 * `toJSON` by the time the replacer sees `value`.
 */
export function wireJson(value: unknown): string {
  return JSON.stringify(value, function replace(this: Record<string, unknown>, key: string, serialized: unknown) {
    const raw = this[key];
    if (isBaseMessage(raw)) {
      const { type, data } = raw.toDict();
      return { ...data, type };
    }
    return serialized;
  });
}
