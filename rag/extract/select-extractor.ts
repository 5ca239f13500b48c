import type { Logger } from '../../core/logger.js';
import type { ChatModel } from '../../core/models/types.js';
import type { GraphSettings } from '../stores/graph/create-graph-store.js';
import { createLlmExtractor } from './llm-extractor.js';
import { createOfflineExtractor } from './offline-extractor.js';
import type { GraphExtractor } from './types.js';

/**
 * The extractor `rag.graph.extractor` names. `llm` without a chat model falls back to offline extraction (and
 * says so once), so a retrieval-only installation still builds its graph.
 */
export function selectGraphExtractor(options: { settings: GraphSettings; model: ChatModel | undefined; logger: Logger }): GraphExtractor {
  if (options.settings.extractor === 'llm') {
    if (options.model) return createLlmExtractor({ model: options.model, logger: options.logger });
    options.logger.info('rag.graph.extractor is llm but no chat model is configured; extracting the graph offline');
  }
  return createOfflineExtractor();
}
