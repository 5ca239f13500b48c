import { TrellisError } from '../../../core/errors.js';
import type { StartRunRequest } from '../../../runtime/run-manager.js';
import type { AssistantCatalog, AssistantEntry } from './assistant-catalog.js';
import type { RunCreateBody, WireStreamMode } from './schemas.js';

/** A run request of the protocol, translated for the RunManager, with what its transport needs to know. */
export interface RunPlan {
  readonly assistant: AssistantEntry;
  /** What `runManager.start` receives (the thread is added by the caller). */
  readonly start: Omit<StartRunRequest, 'threadId'>;
  /** The stream modes the client asked for (`values` when it named none): what its SSE stream carries. */
  readonly streamModes: readonly WireStreamMode[];
  /** Whether events of subgraphs (a supervisor's members) are streamed, with `|<namespace>` in their names. */
  readonly subgraphs: boolean;
  readonly cancelOnDisconnect: boolean;
  readonly createThreadIfMissing: boolean;
  /** Stateless runs only: keep the temporary thread once the run is over. */
  readonly keepThread: boolean;
}

/** The LangGraph stream modes each protocol mode is made from. `messages` also needs values, for whole messages. */
const LIBRARY_MODES: Readonly<Record<Exclude<WireStreamMode, 'events'>, readonly string[]>> = {
  values: ['values'],
  updates: ['updates'],
  messages: ['messages', 'values'],
  'messages-tuple': ['messages'],
  custom: ['custom'],
  tasks: ['tasks'],
  checkpoints: ['checkpoints'],
  debug: ['debug'],
};

const INPUT_KEYS = new Set(['messages', 'kb']);

/**
 * Checks a run request and maps it onto Trellis: the assistant becomes the target, the one user message of `input`
 * the run's message, `command.resume` the resume value, and the knowledge base comes from `context.kb`,
 * `config.configurable.kb` or `input.kb`. What Trellis cannot honour is refused (LANGGRAPH_UNSUPPORTED), never
 * silently ignored.
 */
export function planRun(body: RunCreateBody, catalog: AssistantCatalog): RunPlan {
  refuseUnsupported(body);
  const assistant = catalog.resolve(body.assistant_id);
  const streamModes = streamModesOf(body.stream_mode);
  const resume = resumeOf(body.command);
  return {
    assistant,
    start: {
      target: assistant.target,
      message: resume === undefined ? userMessageOf(body.input) : undefined,
      resume,
      kb: kbOf(body),
      metadata: body.metadata ?? undefined,
      multitaskStrategy: body.multitask_strategy,
      extraStreamModes: [...new Set(streamModes.flatMap((mode) => LIBRARY_MODES[mode as keyof typeof LIBRARY_MODES]))],
      // The protocol streams LangGraph's own chunks (its `messages` modes included), never Trellis's token events.
      tokens: false,
      clientRequest: { ...body, stream_mode: streamModes },
    },
    streamModes,
    subgraphs: body.stream_subgraphs ?? false,
    cancelOnDisconnect: body.on_disconnect === 'cancel',
    createThreadIfMissing: body.if_not_exists === 'create',
    keepThread: body.on_completion === 'keep',
  };
}

/** The protocol modes a client asked for; `events` is refused. */
export function streamModesOf(requested: WireStreamMode | readonly WireStreamMode[] | undefined): readonly WireStreamMode[] {
  const modes = requested === undefined ? ['values' as const] : typeof requested === 'string' ? [requested] : [...new Set(requested)];
  if (modes.includes('events')) {
    throw unsupported('stream mode events (LangChain callback events) is not served; use values, updates, messages, messages-tuple, custom, tasks, checkpoints or debug');
  }
  return modes.length > 0 ? modes : ['values'];
}

function refuseUnsupported(body: RunCreateBody): void {
  const fields: [keyof RunCreateBody, string][] = [
    ['interrupt_before', 'static breakpoints'],
    ['interrupt_after', 'static breakpoints'],
    ['checkpoint_id', 'running from an earlier checkpoint'],
    ['checkpoint', 'running from an earlier checkpoint'],
    ['webhook', 'webhooks'],
  ];
  for (const [field, feature] of fields) {
    if (body[field] !== undefined) throw unsupported(`${field} (${feature}) is not supported`);
  }
  if (body.after_seconds) throw unsupported('after_seconds (delayed runs) is not supported');
}

function resumeOf(command: RunCreateBody['command']): unknown {
  if (!command) return undefined;
  if (command.goto !== undefined || command.update !== undefined) {
    throw unsupported('commands with goto or update are not supported; send command { resume } to answer an interrupt');
  }
  if (!('resume' in command)) throw new TrellisError('API_BODY_INVALID', 'command needs resume: the answer to the pending interrupt');
  return command.resume;
}

function userMessageOf(input: unknown): string {
  if (input === undefined || input === null) {
    throw new TrellisError('API_BODY_INVALID', 'a run needs input { messages: [{ role: "user", content }] }, or command { resume } answering an interrupt');
  }
  if (typeof input !== 'object' || Array.isArray(input)) throw new TrellisError('API_BODY_INVALID', 'input must be an object with messages');
  const extra = Object.keys(input).filter((key) => !INPUT_KEYS.has(key));
  if (extra.length > 0) throw unsupported(`input keys ${extra.join(', ')}: Trellis graphs take messages (and kb) as input`);
  const { messages } = input as { messages?: unknown };
  const list = Array.isArray(messages) ? messages : messages === undefined ? [] : [messages];
  if (list.length === 0) throw new TrellisError('API_BODY_INVALID', 'input.messages needs the user message');
  if (list.length > 1) {
    throw unsupported('one message per run: the thread keeps the conversation, so send earlier turns as earlier runs on the same thread');
  }
  return userText(list[0]);
}

function userText(message: unknown): string {
  if (typeof message === 'string' && message.trim()) return message;
  const { role, type, content } = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
  const author = role ?? type;
  if (author !== 'user' && author !== 'human') {
    throw new TrellisError('API_BODY_INVALID', `input.messages[0] must be a user message ({ role: "user", content }); got ${String(author)}`);
  }
  const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map(textOfPart).join('') : '';
  if (!text.trim()) throw new TrellisError('API_BODY_INVALID', 'the user message has no text');
  return text;
}

function textOfPart(part: unknown): string {
  if (typeof part === 'string') return part;
  const { type, text } = (typeof part === 'object' && part !== null ? part : {}) as Record<string, unknown>;
  if (type === 'text' && typeof text === 'string') return text;
  throw unsupported(`message content parts of type ${String(type)}: Trellis takes text`);
}

function kbOf(body: RunCreateBody): string | undefined {
  const candidates = [
    (body.context as { kb?: unknown } | null | undefined)?.kb,
    body.config?.configurable?.kb,
    (body.input as { kb?: unknown } | null | undefined)?.kb,
  ];
  const kb = candidates.find((candidate) => candidate !== undefined && candidate !== null);
  if (kb === undefined) return undefined;
  if (typeof kb !== 'string' || kb.length === 0 || kb.length > 256) throw new TrellisError('API_BODY_INVALID', 'kb must be a knowledge base name');
  return kb;
}

function unsupported(message: string): TrellisError {
  return new TrellisError('LANGGRAPH_UNSUPPORTED', message);
}
