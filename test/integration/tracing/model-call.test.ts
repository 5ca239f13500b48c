import { AIMessage, AIMessageChunk } from '@langchain/core/messages';
import type { ChatGeneration, LLMResult } from '@langchain/core/outputs';
import { describe, expect, it } from 'vitest';
import { costOf, modelRequestOf, modelResponseOf } from '../../../core/tracing/model-call.js';

// Shaped as @langchain/openai and @langchain/anthropic report calls (the scripted model reports no model name and
// no finish reason, so the contract tests cannot reach these paths).
const resultOf = (generation: ChatGeneration, llmOutput?: LLMResult['llmOutput']): LLMResult => ({ generations: [[generation]], llmOutput });
const OPENAI_LLM = { lc: 1, type: 'constructor' as const, id: ['langchain', 'chat_models', 'openai', 'ChatOpenAI'], kwargs: {} };

describe('modelRequestOf', () => {
  it('reads the model from the invocation parameters, then LangSmith metadata, then the class', () => {
    expect(modelRequestOf(OPENAI_LLM, { invocation_params: { model: 'gpt-4o-mini' } }, { ls_provider: 'openai' })).toEqual({ model: 'gpt-4o-mini', system: 'openai' });
    expect(modelRequestOf(OPENAI_LLM, { invocation_params: {} }, { ls_model_name: 'claude-sonnet-4' })).toEqual({ model: 'claude-sonnet-4', system: undefined });
    expect(modelRequestOf(OPENAI_LLM, undefined, undefined)).toEqual({ model: 'ChatOpenAI', system: undefined });
  });
});

describe('modelResponseOf', () => {
  it('takes model, tokens and finish reason from an OpenAI-style message', () => {
    const message = new AIMessageChunk({
      content: 'Hello',
      response_metadata: { model_name: 'gpt-4o-mini-2024-07-18', finish_reason: 'stop' },
      usage_metadata: { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
    });
    expect(modelResponseOf(resultOf({ text: 'Hello', message }))).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      inputTokens: 12,
      outputTokens: 3,
      finishReasons: ['stop'],
      text: 'Hello',
    });
  });

  it('takes an Anthropic stop reason, and tokens from llmOutput when the message has none', () => {
    const message = new AIMessage({ content: 'Hi', response_metadata: { model: 'claude-sonnet-4-20250514', stop_reason: 'end_turn' } });
    const result = resultOf({ text: 'Hi', message }, { tokenUsage: { promptTokens: 20, completionTokens: 2 } });
    expect(modelResponseOf(result)).toMatchObject({ model: 'claude-sonnet-4-20250514', inputTokens: 20, outputTokens: 2, finishReasons: ['end_turn'] });
  });

  it('reports nothing it was not told', () => {
    expect(modelResponseOf({ generations: [[{ text: '' }]] })).toMatchObject({ model: undefined, inputTokens: undefined, outputTokens: undefined, finishReasons: [] });
  });
});

describe('costOf', () => {
  it('prices input and output tokens per million', () => {
    const cost = costOf({ inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6 }, 1_000_000, 500_000);
    expect(cost).toMatchObject({ input: 0.15, output: 0.3 });
    expect(cost.total).toBeCloseTo(0.45, 10);
  });
});
