import calculator from './calculator.js';
import currentTime from './current-time.js';
import type { AnyToolDefinition } from './define-tool.js';
import graphQuery from './graph-query.js';
import { createHttpFetchTool, type HttpFetchSettings } from './http-fetch.js';
import knowledgeSearch from './knowledge-search.js';

/** The settings built-ins read: the `tools` config section's `httpFetch`. */
export interface BuiltinToolSettings {
  readonly httpFetch: HttpFetchSettings;
  /** Whether the knowledge graph is on (rag.graph.enabled): `graph_query` is offered only then. */
  readonly graph?: boolean;
}

/**
 * The tools that ship with Trellis, configured. Handed to `createToolRegistry({ builtins })` by the runtime; the
 * user's own folder is discovered beside them.
 *
 * @example
 * const builtins = createBuiltinTools({ httpFetch: config.tools.httpFetch });
 */
export function createBuiltinTools(settings: BuiltinToolSettings): readonly AnyToolDefinition[] {
  return [knowledgeSearch, ...(settings.graph ? [graphQuery] : []), calculator, createHttpFetchTool(settings.httpFetch), currentTime];
}
