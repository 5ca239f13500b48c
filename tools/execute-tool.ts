import type { z } from 'zod';
import { TrellisError, type TrellisErrorCode } from '../core/errors.js';
import type { AnyToolDefinition } from './define-tool.js';
import type { ToolContext } from './tool-context.js';

/** The limits one call runs under (from the `tools` config section). */
export interface ToolLimits {
  /** Used unless the definition sets its own `timeoutMs`. */
  readonly timeoutMs: number;
  /** Largest serialised (JSON, UTF-8) output passed on whole; larger output is truncated with a marker. */
  readonly maxOutputBytes: number;
}

/** One thing wrong with the model's arguments: where (`filter.tags[0]`, or `(input)`) and what. */
export interface ToolInputIssue {
  readonly path: string;
  readonly message: string;
}

export interface ToolFailure {
  readonly ok: false;
  readonly error: {
    readonly code: TrellisErrorCode;
    readonly message: string;
    readonly hint?: string;
    /** Present for TOOL_INPUT_INVALID from schema validation. */
    readonly issues?: readonly ToolInputIssue[];
  };
}

export interface ToolSuccess {
  readonly ok: true;
  /** The tool's output; when truncated, a string: the start of its JSON followed by a marker. */
  readonly output: unknown;
  readonly truncated?: { readonly totalBytes: number; readonly keptBytes: number };
}

/** What the model (and the trace) gets back from a call: failures are values, so the agent can correct itself. */
export type ToolResult = ToolSuccess | ToolFailure;

/**
 * Runs one tool call: validates the raw model arguments, runs `execute` under a timeout and bounds the output.
 *
 * - Invalid input returns TOOL_INPUT_INVALID with readable issues; `execute` is not called.
 * - Past the timeout, the tool's signal is aborted and TOOL_TIMEOUT returned, whether or not the tool stops.
 * - Output over `maxOutputBytes` is truncated, not refused: a partial page or list still answers most questions,
 *   and the marker tells the model how much it missed, so it can ask for less.
 * - A thrown `TrellisError` keeps its code; anything else becomes TOOL_FAILED.
 * - Only cancellation by the caller (`context.signal`) rejects, with the signal's reason: a cancelled run stops
 *   instead of feeding a result to a model nobody waits for.
 */
export async function executeTool(
  definition: AnyToolDefinition,
  rawInput: unknown,
  context: ToolContext,
  limits: ToolLimits,
): Promise<ToolResult> {
  context.signal.throwIfAborted();
  const parsed = await definition.schema.safeParseAsync(rawInput ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map(toInputIssue);
    const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return failure('TOOL_INPUT_INVALID', `invalid arguments for ${definition.name}: ${summary}`, { issues });
  }

  const timeoutMs = definition.timeoutMs ?? limits.timeoutMs;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let stopWaitingForCaller: (() => void) | undefined;
  const started = performance.now();
  try {
    const running = Promise.resolve().then(() => definition.execute(parsed.data, { ...context, signal: controller.signal }));
    // A tool that ignores its signal may still fail after we stopped waiting; that must not crash the process.
    running.catch(() => undefined);
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const cancelled = new Promise<never>((_resolve, reject) => {
      const onAbort = () => reject(context.signal.reason);
      context.signal.addEventListener('abort', onAbort, { once: true });
      stopWaitingForCaller = () => context.signal.removeEventListener('abort', onAbort);
    });
    const outcome = await Promise.race([running.then((output) => ({ output })), timedOut, cancelled]);
    if (outcome === 'timeout') {
      const message = `${definition.name} did not finish within ${timeoutMs} ms`;
      controller.abort(new TrellisError('TOOL_TIMEOUT', message));
      context.logger.warn({ tool: definition.name, timeoutMs }, 'tool call timed out');
      return failure('TOOL_TIMEOUT', message);
    }
    context.logger.debug({ tool: definition.name, ms: Math.round(performance.now() - started) }, 'tool call finished');
    return boundOutput(definition.name, outcome.output, limits.maxOutputBytes);
  } catch (error) {
    if (context.signal.aborted) {
      controller.abort(context.signal.reason);
      throw context.signal.reason;
    }
    return failureOf(definition.name, error, context);
  } finally {
    clearTimeout(timer);
    stopWaitingForCaller?.();
  }
}

function failure(code: TrellisErrorCode, message: string, extra: { hint?: string; issues?: readonly ToolInputIssue[] } = {}): ToolFailure {
  return { ok: false, error: { code, message, ...extra } };
}

function failureOf(name: string, error: unknown, context: ToolContext): ToolFailure {
  if (TrellisError.isInstance(error)) {
    context.logger.info({ tool: name, code: error.code }, 'tool call failed');
    return failure(error.code, error.message, { hint: error.hint });
  }
  context.logger.warn({ tool: name, err: error }, 'tool call failed');
  const reason = error instanceof Error ? error.message : String(error);
  return failure('TOOL_FAILED', `${name} failed: ${reason}`);
}

function toInputIssue(issue: z.core.$ZodIssue): ToolInputIssue {
  const path = issue.path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
  return { path: path === '' ? '(input)' : path, message: issue.message };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

function boundOutput(name: string, output: unknown, maxBytes: number): ToolResult {
  let json: string | undefined;
  try {
    json = JSON.stringify(output);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failure('TOOL_FAILED', `${name} returned a value that cannot be serialised as JSON: ${reason}`);
  }
  // `undefined` (a tool with nothing to say) reaches the model as null.
  if (json === undefined) return { ok: true, output: null };
  const bytes = encoder.encode(json);
  if (bytes.length <= maxBytes) return { ok: true, output };
  const marker = (kept: number) => `\n…[output truncated: ${kept} of ${bytes.length} bytes shown; ask for less to see the rest]`;
  const budget = Math.max(0, maxBytes - encoder.encode(marker(maxBytes)).length);
  // Decoding a cut buffer may end in half a character; the replacement character it leaves is dropped.
  const kept = decoder.decode(bytes.subarray(0, budget)).replace(/\uFFFD$/, '');
  const keptBytes = encoder.encode(kept).length;
  return { ok: true, output: kept + marker(keptBytes), truncated: { totalBytes: bytes.length, keptBytes } };
}
