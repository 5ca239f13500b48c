import { AIMessageChunk, isBaseMessage } from '@langchain/core/messages';
import type { RunEvent } from '../../../graphs/run-events.js';
import type { RunHandle } from '../../../runtime/run-manager.js';
import type { RunLogEntry } from '../../../runtime/run-log.js';
import type { WireStreamMode } from './schemas.js';
import type { SseWriter, WireEvent } from './sse.js';
import { checkpointOf } from './wire.js';

export interface RunStreamOptions {
  readonly modes: readonly WireStreamMode[];
  readonly subgraphs: boolean;
}

// Modes whose chunks LangGraph forwards from subgraphs even when the client did not ask for subgraphs.
const ALWAYS_FROM_SUBGRAPHS = new Set(['messages', 'custom']);

/**
 * Turns run log entries into the protocol's events, for one reader: `metadata` first, then one event per chunk of
 * each mode asked for (named `<mode>|<namespace>` inside subgraphs when they were asked for), `error` if the run
 * fails. Interrupts arrive as LangGraph streams them: `__interrupt__` in `values` and `updates`.
 *
 * The `messages` mode is rebuilt the way LangGraph's server builds it: `messages/metadata` when a model starts a
 * message, `messages/partial` with the message so far on each token, `messages/complete` for each whole message new
 * in the state. That needs memory across entries, hence one translator per reader.
 */
export function createRunStreamTranslator(options: RunStreamOptions): (entry: RunLogEntry) => readonly WireEvent[] {
  const modes = new Set<string>(options.modes);
  const partial = new Map<string, AIMessageChunk>();
  const completed = new Set<string>();

  function messageEvents(payload: unknown, suffix: string): WireEvent[] {
    const [token, metadata] = payload as [unknown, unknown];
    // Whole messages a node wrote come through this mode too; they reach the client in messages/complete.
    if (!AIMessageChunk.isInstance(token) || !token.id) return [];
    const id = token.id;
    const previous = partial.get(id);
    const message = previous ? previous.concat(token) : token;
    partial.set(id, message);
    const events: WireEvent[] = previous ? [] : [{ event: `messages/metadata${suffix}`, data: { [id]: { metadata } } }];
    events.push({ event: `messages/partial${suffix}`, data: [message] });
    return events;
  }

  function completedMessages(payload: unknown, suffix: string): WireEvent[] {
    const messages = (payload as { messages?: unknown } | null)?.messages;
    const fresh = (Array.isArray(messages) ? messages : []).filter((message) => {
      if (!isBaseMessage(message) || !message.id || completed.has(message.id)) return false;
      completed.add(message.id);
      return true;
    });
    return fresh.length > 0 ? [{ event: `messages/complete${suffix}`, data: fresh }] : [];
  }

  return (entry) => {
    if (entry.kind === 'event') return eventToWire(entry.event);
    const { mode, namespace, payload } = entry;
    if (namespace.length > 0 && !options.subgraphs && !ALWAYS_FROM_SUBGRAPHS.has(mode)) return [];
    const suffix = options.subgraphs && namespace.length > 0 ? `|${namespace.join('|')}` : '';
    if (mode === 'messages') {
      return [
        ...(modes.has('messages-tuple') ? [{ event: `messages${suffix}`, data: payload }] : []),
        ...(modes.has('messages') ? messageEvents(payload, suffix) : []),
      ];
    }
    return [
      ...(modes.has(mode) ? [{ event: `${mode}${suffix}`, data: mode === 'checkpoints' || mode === 'debug' ? withCheckpointRefs(mode, payload) : payload }] : []),
      ...(mode === 'values' && modes.has('messages') ? completedMessages(payload, suffix) : []),
    ];
  };
}

type Config = { configurable?: Record<string, unknown> } & Record<string, unknown>;
type CheckpointPayload = { config?: Config; parentConfig?: Config } & Record<string, unknown>;

/**
 * Checkpoint chunks (mode `checkpoints`, and `debug` of type `checkpoint`) as LangGraph's server sends them: with
 * `checkpoint` and `parent_checkpoint` references, and configs stripped of callbacks and internal keys.
 */
function withCheckpointRefs(mode: 'checkpoints' | 'debug', payload: unknown): unknown {
  if (mode === 'debug') {
    const debug = payload as { type?: string; payload?: unknown } | null;
    return debug?.type === 'checkpoint' ? { ...debug, payload: withCheckpointRefs('checkpoints', debug.payload) } : payload;
  }
  const { config, parentConfig, ...rest } = (payload ?? {}) as CheckpointPayload;
  return {
    ...rest,
    config: publicConfig(config),
    parent_config: publicConfig(parentConfig),
    checkpoint: checkpointOf(config),
    parent_checkpoint: checkpointOf(parentConfig),
  };
}

function publicConfig(config: Config | undefined): Config | undefined {
  if (!config) return config;
  const { callbacks: _callbacks, configurable, ...rest } = config;
  return { ...rest, configurable: Object.fromEntries(Object.entries(configurable ?? {}).filter(([key]) => !key.startsWith('__'))) };
}

function eventToWire(event: RunEvent): readonly WireEvent[] {
  if (event.type === 'run-start') return [{ event: 'metadata', data: { run_id: event.runId, thread_id: event.threadId, attempt: 1 } }];
  if (event.type === 'run-error') return [{ event: 'error', data: { error: event.code, message: event.message } }];
  return [];
}

export interface StreamRunOptions extends RunStreamOptions {
  /** The last `id` the client saw (`Last-Event-ID`): events up to it are not sent again. */
  readonly afterSeq?: number;
  /** Called when the client goes away before the run's stream has ended. */
  readonly onDisconnect?: () => void;
}

/**
 * Streams a run to one client until the run ends or the client goes away, then closes the response. A reconnect
 * replays the log from its start through a fresh translator, so that `messages/partial` continues where it was, and
 * sends only what comes after `afterSeq`: nothing is lost and nothing repeated.
 */
export async function streamRun(sse: SseWriter, handle: RunHandle, options: StreamRunOptions): Promise<void> {
  const translate = createRunStreamTranslator(options);
  const afterSeq = options.afterSeq ?? 0;
  try {
    for await (const entry of handle.entries(0, sse.signal)) {
      const events = translate(entry);
      if (entry.seq > afterSeq) await sse.write(events, entry.seq);
    }
    if (sse.signal.aborted) options.onDisconnect?.();
  } finally {
    sse.end();
  }
}
