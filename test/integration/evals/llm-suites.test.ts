import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScriptedChatModel, type ScriptedCall, type ScriptedTurn } from '../../../core/models/scripted-chat-model.js';
import type { EvalResults } from '../../../evals/results/results-store.js';
import { createSqliteModelCache } from '../../../evals/run/model-cache.js';
import { runSuite } from '../../../evals/run/run-suite.js';
import { loadSuiteFile } from '../../../evals/suite/load-suite.js';
import { resolveSuite, withOverrides } from '../../../evals/suite/resolve-suite.js';
import type { Suite } from '../../../evals/suite/suite-schema.js';
import { casePrompt } from '../../../evals/targets/case-prompt.js';
import { createChatCaller } from '../../../evals/targets/chat-caller.js';
import { createEnvironmentAgentTarget } from '../../../evals/targets/environment-agent-target.js';
import { createModelTarget } from '../../../evals/targets/model-target.js';
import type { EvalTarget } from '../../../evals/targets/target.js';
import type { EvalCase, ExpectedToolCall } from '../../../evals/types.js';
import { openEvalResults } from '../../helpers/eval-fixtures.js';
import { repoRoot } from '../../helpers/paths.js';

/** How a player answers one case: its final text, and the tool calls it makes first (one per model turn). */
interface Play {
  readonly text: string;
  readonly calls?: readonly { name: string; args: Record<string, unknown> }[][];
}

type Player = (evalCase: EvalCase) => Play;

const QUALITY = new Set(['label_accuracy', 'contains', 'regex', 'bfcl_ast', 'irrelevance', 'tau2_reward', 'tau2_db', 'tau2_actions', 'tau2_outputs']);

/**
 * A scripted chat model that plays `player`'s answer to whichever case it is asked: it finds the case by its
 * first user message and plays the next of that case's turns, counted from the assistant messages so far.
 */
function scriptedPlayer(cases: readonly EvalCase[], player: Player) {
  const byPrompt = new Map<string, EvalCase>();
  for (const evalCase of cases) {
    byPrompt.set(casePrompt(evalCase), evalCase);
    byPrompt.set(evalCase.input, evalCase);
  }
  const turn = (call: ScriptedCall): ScriptedTurn => {
    const first = call.messages.find((message) => message.getType() === 'human')!.text;
    const evalCase = byPrompt.get(first) ?? byPrompt.get(first.split('\n\n')[0]!)!;
    const play = player(evalCase);
    const step = call.messages.filter((message) => message.getType() === 'ai').length;
    const calls = play.calls?.[step];
    if (calls && calls.length > 0) return { toolCalls: calls.map((entry, index) => ({ ...entry, id: `call_${step}_${index}` })) };
    return { text: play.text };
  };
  return createScriptedChatModel({ turns: [turn], loop: true, modelId: 'scripted-player' });
}

/** The first acceptable value of each argument (BFCL's "" means the argument may be left out). */
function goldArguments(call: ExpectedToolCall): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(call.acceptable).flatMap(([name, values]) => {
      const value = values.find((candidate) => candidate !== '');
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

const gold: Record<string, Player> = {
  'rag-pubmedqa': (evalCase) => ({ text: `${evalCase.expected.label}. The abstract says so.` }),
  'rag-rgb': (evalCase) => ({
    text: evalCase.category === 'counterfactual'
      ? `There are factual errors in the provided documents. The answer is ${evalCase.expected.answers![0]}.`
      : `The answer is ${evalCase.expected.answers![0]}.`,
  }),
  'tools-bfcl': (evalCase) =>
    evalCase.expected.noCall
      ? { text: 'None of these functions fits.' }
      : { text: '', calls: [evalCase.expected.toolCalls!.map((call) => ({ name: call.name, args: goldArguments(call) }))] },
  'agent-tau2-retail': (evalCase) => ({
    text: `Done. ${(evalCase.expected.outputs ?? []).join(', ')}`,
    calls: (evalCase.expected.actions ?? []).map((action) => [{ name: action.name, args: { ...action.arguments } }]),
  }),
};

const wrong: Record<string, Player> = {
  'rag-pubmedqa': (evalCase) => ({ text: evalCase.expected.label === 'yes' ? 'no.' : 'yes.' }),
  'rag-rgb': () => ({ text: 'I cannot tell.' }),
  'tools-bfcl': (evalCase) =>
    evalCase.expected.noCall
      ? { text: '', calls: [[{ name: evalCase.functions![0]!.name, args: {} }]] }
      : { text: '', calls: [evalCase.expected.toolCalls!.map((call) => ({ name: call.name, args: Object.fromEntries(Object.keys(goldArguments(call)).map((name) => [name, 'wrong'])) }))] },
  'agent-tau2-retail': () => ({ text: 'Sorry, I cannot help with that.' }),
};

/** The shipped suite, cut to a few cases (BFCL: some of each kind, irrelevance included). */
async function shippedSuite(name: string): Promise<Suite> {
  const suite = await loadSuiteFile(path.join(repoRoot, 'evals', 'suites', `${name}.yaml`));
  return withOverrides(suite, { limit: name === 'agent-tau2-retail' ? 4 : 6, concurrency: 2 });
}

async function collect(cases: AsyncIterable<EvalCase>): Promise<EvalCase[]> {
  const all: EvalCase[] = [];
  for await (const evalCase of cases) all.push(evalCase);
  return all;
}

describe('shipped LLM suites, scored through their targets with a scripted model', () => {
  let store: ReturnType<typeof openEvalResults>;
  let results: EvalResults;
  beforeEach(() => {
    store = openEvalResults();
    results = store.results;
  });
  afterEach(() => store.dispose());

  async function play(name: string, player: Player, variant?: Suite) {
    const suite = variant ?? (await shippedSuite(name));
    const { dataset, metrics } = await resolveSuite(suite);
    const model = scriptedPlayer(await collect(dataset.cases()), player);
    const chat = createChatCaller({ model, modelId: model.modelId });
    const target: EvalTarget = suite.target.kind === 'agent' && 'environment' in suite.target
      ? createEnvironmentAgentTarget({ chat, maxTurns: suite.target.maxTurns })
      : createModelTarget({ chat, system: suite.target.kind === 'model' ? suite.target.system : undefined });
    const { summary } = await runSuite({ suite, dataset, target, metrics, results, runId: `${name}-${Math.random()}`, codeVersion: { packageVersion: 'test', gitSha: null } });
    return Object.fromEntries(summary.metrics.filter((metric) => QUALITY.has(metric.metric)).map((metric) => [metric.metric, metric.mean]));
  }

  const irrelevance = async () => withOverrides({ ...(await shippedSuite('tools-bfcl')), dataset: { name: 'bfcl', options: { category: 'irrelevance' } } }, { limit: 3 });

  for (const name of Object.keys(gold)) {
    it(`${name}: gold answers score 1.0 on every quality metric, wrong ones less`, async () => {
      const best = await play(name, gold[name]!);
      expect(Object.keys(best).length).toBeGreaterThan(0);
      for (const value of Object.values(best)) expect(value).toBe(1);
      const worst = await play(name, wrong[name]!);
      for (const value of Object.values(worst)) expect(value).toBeLessThan(1);
    });
  }

  it('tools-bfcl irrelevance: calling nothing scores 1.0, calling a function 0', async () => {
    expect(await play('tools-bfcl', gold['tools-bfcl']!, await irrelevance())).toEqual({ bfcl_ast: 1, irrelevance: 1 });
    expect(await play('tools-bfcl', wrong['tools-bfcl']!, await irrelevance())).toEqual({ bfcl_ast: 0, irrelevance: 0 });
  });

  it('answers a repeated request from the cache instead of calling the model again', async () => {
    const suite = await shippedSuite('rag-pubmedqa');
    const { dataset, metrics } = await resolveSuite(suite);
    const model = scriptedPlayer(await collect(dataset.cases()), gold['rag-pubmedqa']!);
    const cache = createSqliteModelCache(store.db);
    const target = () => createModelTarget({ chat: createChatCaller({ model, modelId: model.modelId, cache }), system: 'answer' });
    const run = (runId: string, variant = suite) => runSuite({ suite: variant, dataset, target: target(), metrics, results, runId, codeVersion: { packageVersion: 'test', gitSha: null } });

    await run('first');
    expect(model.calls).toHaveLength(6);
    const second = await run('second');
    expect(model.calls).toHaveLength(6);
    expect(cache.stats()).toEqual({ hits: 6, misses: 6 });
    expect(second.summary.metrics.find((metric) => metric.metric === 'label_accuracy')!.mean).toBe(1);
    // A second repeat has its own seed: a new request, so a real call.
    await run('repeated', withOverrides(suite, { repeats: 2 }));
    expect(model.calls).toHaveLength(12);
  });
});
