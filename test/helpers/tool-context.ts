import { silentLogger } from '../../core/logger.js';
import type { KnowledgeSearch, ToolContext } from '../../tools/tool-context.js';

/** A knowledge port for tool tests that do not search: any call is a test failure. */
const noKnowledge: KnowledgeSearch = {
  search: () => Promise.reject(new Error('this test does not expect a knowledge search')),
};

/** The narrow context a tool call gets, with a silent logger and a live signal, plus `overrides`. */
export function toolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return { tenantId: 'default', signal: new AbortController().signal, logger: silentLogger, knowledge: noKnowledge, ...overrides };
}

/** Generous limits, so a test meets only the limit it sets on purpose. */
export const testLimits = { timeoutMs: 5_000, maxOutputBytes: 64 * 1024 } as const;
