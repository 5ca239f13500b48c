/**
 * The requests under load, each a one-turn chat that the model answers "ok": an OpenAI chat completion (Trellis
 * only: LangGraph's server has no such route) and the Agent Protocol's `runs/wait`, stateless and on a thread.
 */
import type { LoadRequest } from './load.js';
import type { ServerName, ServerUnderTest } from './server-process.js';

export type ScenarioName = 'chat-completions' | 'runs-wait' | 'thread-runs-wait';

export interface Scenario {
  readonly name: ScenarioName;
  /** What is sent, for people reading the report. */
  readonly route: string;
  readonly servers: readonly ServerName[];
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'chat-completions', route: 'POST /v1/chat/completions (non-streaming)', servers: ['trellis'] },
  { name: 'runs-wait', route: 'POST /runs/wait (stateless)', servers: ['trellis', 'langgraph'] },
  { name: 'thread-runs-wait', route: 'POST /threads/{id}/runs/wait', servers: ['trellis', 'langgraph'] },
];

/** Trellis's built-in agent; the LangGraph side registers its echo graph under the same id. */
export const TARGET = 'assistant';

/**
 * Runs on one thread before its connection moves to a fresh one: a thread's state grows by two messages a run,
 * and a thread a thousand runs long would measure the size of its history rather than the server.
 */
export const TURNS_PER_THREAD = 10;

const CHAT_BODY = JSON.stringify({ model: TARGET, messages: [{ role: 'user', content: 'hi' }] });
const RUN_BODY = JSON.stringify({ assistant_id: TARGET, input: { messages: [{ role: 'user', content: 'hi' }] } });

/**
 * Threads made before a `thread-runs-wait` measurement, handed to connections in turn. When they run out, a
 * connection stays on its thread (and `overflowTurns` counts runs past TURNS_PER_THREAD).
 */
export class ThreadPool {
  private next = 0;
  overflowTurns = 0;

  constructor(private readonly ids: readonly string[]) {}

  static async create(server: ServerUnderTest, count: number): Promise<ThreadPool> {
    const ids: string[] = [];
    const parallel = 8;
    for (let start = 0; start < count; start += parallel) {
      const batch = Array.from({ length: Math.min(parallel, count - start) }, () => createThread(server));
      ids.push(...(await Promise.all(batch)));
    }
    return new ThreadPool(ids);
  }

  get size(): number {
    return this.ids.length;
  }

  take(): string | undefined {
    return this.ids[this.next++];
  }
}

/** One connection's request source for a scenario (see LoadOptions.requestsFor). */
export function requestSource(scenario: ScenarioName, pool?: ThreadPool): () => () => LoadRequest {
  if (scenario === 'chat-completions') return () => () => ({ method: 'POST', path: '/v1/chat/completions', body: CHAT_BODY });
  if (scenario === 'runs-wait') return () => () => ({ method: 'POST', path: '/runs/wait', body: RUN_BODY });
  if (!pool) throw new Error('thread-runs-wait needs a thread pool');
  return () => {
    let thread = pool.take();
    let turns = 0;
    return () => {
      if (turns === TURNS_PER_THREAD) {
        const fresh = pool.take();
        if (fresh) {
          thread = fresh;
          turns = 0;
        } else pool.overflowTurns += 1;
      }
      turns += 1;
      if (!thread) throw new Error('the thread pool is smaller than the number of connections');
      return { method: 'POST', path: `/threads/${thread}/runs/wait`, body: RUN_BODY };
    };
  };
}

/**
 * Sends one request of the scenario and checks the answer is the model's "ok", so that a load of 4xx (a missing
 * route, a bad key) is never measured as throughput.
 */
export async function checkScenario(server: ServerUnderTest, scenario: ScenarioName): Promise<void> {
  const pool = scenario === 'thread-runs-wait' ? await ThreadPool.create(server, 1) : undefined;
  const request = requestSource(scenario, pool)()();
  const response = await fetch(`${server.url}${request.path}`, {
    method: request.method,
    headers: { 'content-type': 'application/json', ...server.headers },
    body: request.body ?? null,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${server.name} ${request.method} ${request.path} answered ${response.status}: ${text.slice(0, 500)}`);
  const answer = scenario === 'chat-completions' ? completionText(JSON.parse(text)) : lastMessageText(JSON.parse(text));
  if (answer !== 'ok') throw new Error(`${server.name} ${request.method} ${request.path} answered 200 without the model's "ok": ${text.slice(0, 500)}`);
}

async function createThread(server: ServerUnderTest): Promise<string> {
  const response = await fetch(`${server.url}/threads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...server.headers },
    body: '{}',
  });
  const body = (await response.json()) as { thread_id?: string };
  if (response.status !== 200 || !body.thread_id) throw new Error(`${server.name} POST /threads answered ${response.status}: ${JSON.stringify(body)}`);
  return body.thread_id;
}

function completionText(body: unknown): unknown {
  return (body as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
}

/** `runs/wait` answers with the thread's final values; the last message is the model's. */
function lastMessageText(body: unknown): unknown {
  const content = (body as { messages?: { content?: unknown }[] }).messages?.at(-1)?.content;
  if (!Array.isArray(content)) return content;
  return content.map((part: { text?: string }) => part.text ?? '').join('');
}
