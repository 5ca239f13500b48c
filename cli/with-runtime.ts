import { loadConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import type { Runtime } from '../runtime/create-runtime.js';

/**
 * Runs a one-shot command on a started runtime and always stops it (sidecars included), also on Ctrl-C, which
 * aborts the work through `signal` first so that it ends at a safe point.
 */
export async function withRuntime<T>(work: (runtime: Runtime, signal: AbortSignal) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Commands print their own results on stdout; the log only carries warnings unless asked for more.
  const logger = createLogger({ level: process.env.TRELLIS_LOG_LEVEL ?? 'warn' });
  // Loaded here, not at the top: every command module imports this file, and the runtime (LangGraph, models,
  // stores) is most of the CLI's start-up; `--help` and `trellis traces` must not pay for it.
  const { createRuntime } = await import('../runtime/create-runtime.js');
  const runtime = await createRuntime({ config, logger });
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await runtime.start();
    return await work(runtime, controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runtime.stop();
  }
}
