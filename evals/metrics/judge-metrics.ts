import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TrellisError } from '../../core/errors.js';
import type { EvalCase, MetricFactory, MetricScore, TargetOutput } from '../types.js';
import { type JudgeScale, parseJudgeScore } from './judge-score.js';
import { parseMetricOptions } from './metric-options.js';

const PROMPTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'judge-prompts');

/** A judge prompt file: YAML front matter (metric, version, scale) and a template with {{placeholders}}. */
interface JudgePrompt {
  readonly version: string;
  readonly scale: JudgeScale;
  readonly template: string;
}

const FrontMatter = z.object({ metric: z.string(), version: z.string().min(1), scale: z.enum(['0-1', '1-5']) });

function loadPrompt(file: string, metric: string): JudgePrompt {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TrellisError('EVAL_METRIC_OPTIONS_INVALID', `metric ${metric}: cannot read judge prompt ${file}`, { cause: error });
  }
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text.replace(/\r\n/g, '\n'));
  const header = FrontMatter.safeParse(match ? parseYaml(match[1]!) : undefined);
  if (!match || !header.success) {
    throw new TrellisError('EVAL_METRIC_OPTIONS_INVALID', `metric ${metric}: judge prompt ${file} needs front matter with metric, version and scale (0-1 or 1-5)`);
  }
  return { version: header.data.version, scale: header.data.scale, template: match[2]!.trim() };
}

/** What a judge prompt can be filled with; undefined when the case and output do not have it. */
interface JudgeInputs {
  readonly question: string;
  readonly answer?: string;
  readonly context?: string;
  readonly reference?: string;
}

function inputs(evalCase: EvalCase, output: TargetOutput): JudgeInputs {
  // The passages the target actually used, else the ones the dataset gave it.
  const retrieved = (output.retrieved ?? []).flatMap((passage) => (passage.text === undefined ? [] : [passage.text]));
  const passages = retrieved.length > 0 ? retrieved : (evalCase.context ?? []);
  return {
    question: evalCase.input,
    answer: output.answer,
    context: passages.length === 0 ? undefined : passages.map((passage, index) => `[${index + 1}] ${passage}`).join('\n\n'),
    reference: evalCase.expected.answers?.[0],
  };
}

function fill(template: string, values: JudgeInputs): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_whole, key: string) => String(values[key as keyof JudgeInputs] ?? '(none)'));
}

const JudgeOptions = z.object({ prompt: z.string().optional() }).strict();

/**
 * An LLM-as-judge metric: fills its versioned prompt (judge-prompts/<name>-v1.md, or the suite's `prompt` file),
 * asks the suite's judge model and reads the score (judge-score.ts). The judge model id and the prompt version are
 * in every score's details, so runs judged differently are never compared unknowingly. Null when the case lacks what
 * the prompt needs, or when the judge's reply holds no score (details keep the start of the reply).
 */
function judgeMetric(name: string, defaultPrompt: string, needs: readonly (keyof JudgeInputs)[]): MetricFactory {
  return (options) => {
    const { prompt: promptFile } = parseMetricOptions(name, JudgeOptions, options);
    const prompt = loadPrompt(promptFile === undefined ? path.join(PROMPTS_DIR, defaultPrompt) : path.resolve(promptFile), name);
    return {
      name,
      version: prompt.version,
      higherIsBetter: true,
      async score(evalCase, output, context): Promise<MetricScore[]> {
        const values = inputs(evalCase, output);
        if (needs.some((key) => values[key] === undefined)) return [{ metric: name, value: null }];
        if (!context.judge) throw new TrellisError('EVAL_JUDGE_NOT_CONFIGURED', `metric ${name} needs a judge model, and the suite configures none`);
        const reply = await context.judge(fill(prompt.template, values));
        const recorded = { judgeModelId: context.judgeModelId ?? null, promptVersion: prompt.version };
        const score = parseJudgeScore(reply, prompt.scale);
        if (!score) return [{ metric: name, value: null, details: { ...recorded, error: 'the judge reply holds no score', reply: reply.slice(0, 500) } }];
        return [{ metric: name, value: score.value, details: { ...recorded, reason: score.reason ?? null } }];
      },
    };
  };
}

/** `faithfulness`: are the answer's claims supported by the retrieved (or given) context? */
export const faithfulnessMetric = judgeMetric('faithfulness', 'faithfulness-v1.md', ['answer', 'context']);

/** `answer_relevance`: does the answer address the question (1–5 judge scale, mapped to [0, 1])? */
export const answerRelevanceMetric = judgeMetric('answer_relevance', 'answer-relevance-v1.md', ['answer']);

/** `context_precision`: how much of the retrieved context, top first, is relevant to the question? */
export const contextPrecisionMetric = judgeMetric('context_precision', 'context-precision-v1.md', ['context']);

/** `context_recall`: does the retrieved context support every statement of the reference answer? */
export const contextRecallMetric = judgeMetric('context_recall', 'context-recall-v1.md', ['context', 'reference']);
