import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import type { Runtime } from '../../../runtime/create-runtime.js';
import type { RunHandle, StartRunRequest } from '../../../runtime/run-manager.js';
import { principalOf } from '../../plugins/auth.js';
import { openEventStream } from '../../sse/event-stream.js';
import { ChatCompletionRequestSchema, type ChatCompletionRequest } from './chat-request.js';
import { completionOutcome, type CompletionOutcome } from './completion-outcome.js';
import { newTurnOf, toLangChainMessages } from './to-langchain-messages.js';

const CompletionResponseSchema = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number(),
  model: z.string(),
  choices: z.array(z.looseObject({ index: z.number(), message: z.looseObject({ role: z.literal('assistant') }), finish_reason: z.string() })),
  trellis: z.looseObject({ thread_id: z.string().nullable(), run_id: z.string(), status: z.string(), citations: z.array(z.unknown()) }),
});

/**
 * `POST /v1/chat/completions`: runs the agent or graph the `model` names. Without `thread_id` the request is
 * self-contained, as OpenAI's API is: its messages are the whole conversation, and the run's thread is a temporary
 * one that nothing stores, unless the run waits for an approval (then it is kept, to be resumed). With `thread_id`,
 * the stored thread continues.
 */
export async function chatCompletionRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { runtime } = options;
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/chat/completions',
    {
      config: { scope: 'chat' },
      schema: {
        tags: ['openai'],
        summary: 'Create a chat completion (OpenAI-compatible; `stream: true` answers with server-sent events)',
        body: ChatCompletionRequestSchema,
        response: { 200: CompletionResponseSchema },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const body = request.body;
      const started = startRun(runtime, tenantId, body);
      const created = Math.floor(Date.now() / 1000);
      const id = `chatcmpl-${started.handle.run.id}`;
      if (body.stream) {
        return streamCompletion(reply, started, { id, created, model: body.model, includeUsage: body.stream_options?.include_usage === true });
      }
      const outcome = await finish(started);
      return {
        id,
        object: 'chat.completion' as const,
        created,
        model: body.model,
        choices: [{ index: 0, message: assistantMessage(outcome), finish_reason: outcome.finishReason, logprobs: null }],
        ...(outcome.usage ? { usage: outcome.usage } : {}),
        trellis: outcome.extension,
      };
    },
  );
}

interface StartedRun {
  readonly handle: RunHandle;
  /** Whether the thread is the request's own temporary one, which outlives the run only if the run waits for an approval. */
  readonly temporary: boolean;
}

function startRun(runtime: Runtime, tenantId: string, body: ChatCompletionRequest): StartedRun {
  if (!runtime.runs.targets().includes(body.model)) {
    throw new TrellisError('RUN_TARGET_UNKNOWN', `no agent or graph named ${body.model}; GET /v1/models lists them`);
  }
  if (body.resume !== undefined && !body.thread_id) {
    throw new TrellisError('API_BODY_INVALID', 'resume answers an approval on a thread: send thread_id with it');
  }
  const messages = body.resume !== undefined ? [] : toLangChainMessages(body.thread_id ? newTurnOf(body.messages) : body.messages);
  if (body.resume === undefined && messages.length === 0) {
    throw new TrellisError('API_BODY_INVALID', 'messages must hold at least one user or tool message after the last assistant message');
  }
  const request: StartRunRequest = {
    target: body.model,
    threadId: body.thread_id,
    messages,
    resume: body.resume,
    kb: body.kb,
    metadata: { ...body.metadata, ...(body.user ? { user: body.user } : {}) },
    clientTools: body.tools?.length && body.tool_choice !== 'none' ? { tools: body.tools, toolChoice: toolChoiceOf(body.tool_choice) } : undefined,
    ...(body.thread_id ? {} : { temporaryThread: 'keep-if-interrupted' as const }),
    clientRequest: { api: 'openai', model: body.model, stream: body.stream === true, ...(body.user ? { user: body.user } : {}) },
    tokens: body.stream === true,
  };
  return { handle: runtime.runManager.start(tenantId, request), temporary: !body.thread_id };
}

function toolChoiceOf(choice: ChatCompletionRequest['tool_choice']): 'auto' | 'any' | string | undefined {
  if (choice === undefined || choice === 'auto') return undefined;
  if (choice === 'required') return 'any';
  if (typeof choice === 'object') return choice.function.name;
  return undefined;
}

/** Waits for the run's end and reads its outcome; a failed run becomes the error response. */
async function finish(started: StartedRun): Promise<CompletionOutcome> {
  let approval: unknown;
  for await (const entry of started.handle.entries()) {
    if (entry.kind !== 'event') continue;
    const event = entry.event;
    if (event.type === 'approval-request') approval = event.value;
    if (event.type === 'run-error') throw new TrellisError(event.code as never, event.message, { hint: event.hint });
    if (event.type === 'run-end') return completionOutcome(event, approval, threadOf(started, event.status));
  }
  throw new TrellisError('INTERNAL', `run ${started.handle.run.id} ended without a result`);
}

/** The thread to name in the answer: a temporary thread exists afterwards only when the run waits for an approval. */
function threadOf(started: StartedRun, status: 'completed' | 'interrupted'): string | null {
  return !started.temporary || status === 'interrupted' ? started.handle.run.threadId : null;
}

function assistantMessage(outcome: CompletionOutcome) {
  return {
    role: 'assistant' as const,
    content: outcome.toolCalls.length > 0 && !outcome.content ? null : outcome.content,
    refusal: null,
    ...(outcome.toolCalls.length > 0 ? { tool_calls: outcome.toolCalls } : {}),
  };
}

/**
 * Streams the run as OpenAI chunks: the role first, a content delta per token, the finish reason with Trellis's
 * extension last, then `[DONE]`. A failure mid-stream is sent as an `error` payload, which OpenAI SDKs raise.
 */
async function streamCompletion(
  reply: FastifyReply,
  started: StartedRun,
  meta: { id: string; created: number; model: string; includeUsage: boolean },
): Promise<FastifyReply> {
  const stream = openEventStream(reply);
  const data = (payload: unknown) => stream.send({ data: JSON.stringify(payload) });
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}) =>
    data({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }], ...extra });
  await chunk({ role: 'assistant', content: '' });
  let streamedText = false;
  let approval: unknown;
  for await (const entry of started.handle.entries(0, stream.signal)) {
    if (entry.kind !== 'event') continue;
    const event = entry.event;
    if (event.type === 'token-delta' && event.text) {
      streamedText = true;
      await chunk({ content: event.text });
    } else if (event.type === 'approval-request') {
      approval = event.value;
    } else if (event.type === 'run-error') {
      await data({ error: { code: event.code, message: event.message, hint: event.hint } });
    } else if (event.type === 'run-end') {
      const outcome = completionOutcome(event, approval, threadOf(started, event.status));
      if (!streamedText || event.status === 'interrupted') await chunk({ content: (streamedText ? '\n\n' : '') + outcome.content });
      if (outcome.toolCalls.length > 0) await chunk({ tool_calls: outcome.toolCalls.map((call, index) => ({ index, ...call })) });
      await chunk({}, outcome.finishReason, { trellis: outcome.extension });
      if (meta.includeUsage) {
        await data({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [], usage: outcome.usage ?? null });
      }
    }
  }
  await stream.send({ data: '[DONE]' });
  stream.end();
  return reply;
}
