import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, test } from 'vitest';
import type { Checkpointer } from '../../../core/checkpointer.js';

/** What a conformance file hands over: a name, a fresh checkpointer per spec group, and its clean-up. */
export interface CheckpointerConformanceOptions {
  name: string;
  create(): Promise<{ checkpointer: Checkpointer; destroy(): Promise<void> }>;
}

/**
 * Runs LangGraph's own checkpointer conformance suite (`@langchain/langgraph-checkpoint-validation`: put,
 * putWrites, getTuple, list, deleteThread) on savers built by Trellis's factory. Call it inside a `describe`.
 *
 * The suite calls `describe`, `it` and `expect` as Jest-style globals. Instead of `globals: true` for every test
 * file, this hands it vitest's own functions, only in the worker that runs the calling file (each test file has
 * its own process under the `forks` pool).
 */
export function describeCheckpointerConformance(options: CheckpointerConformanceOptions): void {
  Object.assign(globalThis, { describe, it, test, expect, beforeAll, afterAll, beforeEach, afterEach });
  const destroyers = new Map<BaseCheckpointSaver, () => Promise<void>>();
  const initializer: CheckpointSaverTestInitializer<BaseCheckpointSaver> = {
    checkpointerName: options.name,
    async createCheckpointer() {
      const { checkpointer, destroy } = await options.create();
      destroyers.set(checkpointer.saver, destroy);
      return checkpointer.saver;
    },
    async destroyCheckpointer(saver) {
      await destroyers.get(saver)?.();
      destroyers.delete(saver);
    },
  };
  validate(initializer);
}
