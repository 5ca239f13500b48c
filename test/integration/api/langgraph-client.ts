import { Client } from '@langchain/langgraph-sdk';
import type { ScriptedTurn } from '../../../core/models/scripted-chat-model.js';
import type { ApiServer } from '../../helpers/api-server.js';

/** LangGraph's own SDK client, pointed at a Trellis server. No retries: a 5xx must fail the test, not be retried away. */
export function protocolClient(server: Pick<ApiServer, 'url'>, apiKey: string): Client {
  return new Client({ apiUrl: server.url, apiKey, callerOptions: { maxRetries: 0 } });
}

/** The protocol's input for one user message. */
export function userInput(text: string) {
  return { messages: [{ role: 'user', content: text }] };
}

/** The HTTP status and Trellis error code a refused SDK call failed with. */
export async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (error) {
    const { status, text } = error as { status?: number; text?: string };
    if (typeof status !== 'number') throw error;
    const body = JSON.parse(text ?? '{}') as { error?: { code?: string } };
    return { status, code: body.error?.code ?? '' };
  }
  throw new Error('the call succeeded; it should have been refused');
}

export async function collect<Item>(stream: AsyncIterable<Item>): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

/**
 * The scripted model behind the agent runs: matched turns answer particular prompts (the last message's text), the
 * rest play in order. `http_fetch` needs approval, and tests reject it, so nothing reaches the network.
 */
export const PROTOCOL_SCRIPT: readonly ScriptedTurn[] = [
  { match: '^Fetch ', toolCalls: [{ name: 'http_fetch', args: { url: 'https://example.com/' }, id: 'call-fetch' }] },
  { match: 'rejected it', text: 'Understood: I did not fetch the page.' },
  { match: '^Slow', delayMs: 1500, text: 'Slow answer.' },
  { text: 'Hello from Trellis.' },
];
