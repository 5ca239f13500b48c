import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { TrellisError } from '../../../core/errors.js';
import type { ChatMessage } from './chat-request.js';

/** OpenAI chat messages as LangChain messages, text only: other content parts are refused with the part named. */
export function toLangChainMessages(messages: readonly ChatMessage[]): BaseMessage[] {
  return messages.map((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return new SystemMessage(textOf(message.content, index));
      case 'user':
        return new HumanMessage({ content: textOf(message.content, index), ...(message.name ? { name: message.name } : {}) });
      case 'assistant':
        return new AIMessage({
          content: message.content == null ? '' : textOf(message.content, index),
          tool_calls: (message.tool_calls ?? []).map((call) => ({
            id: call.id,
            name: call.function.name,
            args: parseArguments(call.function.arguments, index),
            type: 'tool_call' as const,
          })),
        });
      case 'tool':
        return new ToolMessage({ content: textOf(message.content, index), tool_call_id: message.tool_call_id });
    }
  });
}

/**
 * With a stored thread the server already holds the conversation, so only the new turn is sent on: the messages
 * after the last assistant message (a user message, or the client's tool results).
 */
export function newTurnOf(messages: readonly ChatMessage[]): readonly ChatMessage[] {
  const lastAssistant = messages.findLastIndex((message) => message.role === 'assistant');
  return messages.slice(lastAssistant + 1).filter((message) => message.role !== 'system' && message.role !== 'developer');
}

function textOf(content: string | readonly { type: string; text?: unknown }[], index: number): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      throw new TrellisError('API_BODY_INVALID', `messages[${index}] has a ${part.type} part; only text parts are supported`);
    })
    .join('');
}

function parseArguments(text: string, index: number): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below with the message's position.
  }
  throw new TrellisError('API_BODY_INVALID', `messages[${index}].tool_calls[].function.arguments must be a JSON object`);
}
