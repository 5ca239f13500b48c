import type { BaseChatModel } from '@langchain/core/language_models/chat_models';

/**
 * Chat models are LangChain chat models, so LangGraph, tool binding and callbacks use them unchanged.
 * Providers: openai-compatible, anthropic, llama-cpp (local GGUF) and scripted (deterministic, for tests).
 */
export type ChatModel = BaseChatModel;

export interface EmbedOptions {
  readonly texts: readonly string[];
  /**
   * Asymmetric models (bge, e5) embed queries with an instruction prefix and passages without one;
   * symmetric models ignore this. Defaults to 'document'.
   */
  readonly inputType?: 'query' | 'document';
  readonly signal?: AbortSignal;
}

export interface EmbedResult {
  /** One vector per input text, in input order. */
  readonly embeddings: readonly number[][];
  readonly usage: { readonly tokens: number };
}

/**
 * A text embedder. Providers implement `doEmbed` for one batch of at most `maxBatchSize` texts; batching, progress
 * and cancellation between batches live once in `embedMany`.
 */
export interface EmbeddingModel {
  readonly provider: string;
  readonly modelId: string;
  /**
   * Length of every vector this model returns. A remote model not told its length learns it from its first
   * response and reports 0 until then, so read it after a call.
   */
  readonly dimensions: number;
  readonly maxBatchSize: number;
  /**
   * Whether `embedMany` may have several `doEmbed` calls outstanding at once. True where calls queue up somewhere
   * that works on its own (a worker thread), so the next batch is ready to start the moment one ends; absent means
   * one call at a time.
   */
  readonly supportsParallelCalls?: boolean;
  doEmbed(options: EmbedOptions): Promise<EmbedResult>;
  /** Frees native memory (ONNX sessions); safe to call twice. */
  dispose?(): Promise<void>;
}

export interface RerankOptions {
  readonly query: string;
  readonly documents: readonly string[];
  readonly signal?: AbortSignal;
}

export interface RerankResult {
  /** One relevance score per document, in input order; higher is more relevant. */
  readonly scores: readonly number[];
}

/** A cross-encoder that scores (query, document) pairs. */
export interface Reranker {
  readonly provider: string;
  readonly modelId: string;
  readonly maxBatchSize: number;
  doRerank(options: RerankOptions): Promise<RerankResult>;
  dispose?(): Promise<void>;
}
