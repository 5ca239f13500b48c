import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../evals/datasets/registry.js';
import { createMetric } from '../../../evals/metrics/registry.js';
import { normalizeAnswer } from '../../../evals/metrics/squad-answer.js';
import type { EvalCase, EvalDataset, TargetOutput } from '../../../evals/types.js';
import { bfclGoldCalls } from '../../helpers/eval-gold-players.js';

// Every scorer on real cases of its dataset: a target that plays the gold answer scores 1.0 on every case, and one
// that plays a wrong answer scores less (0 where the metric is all-or-nothing).

async function collect(dataset: EvalDataset, every = 1): Promise<EvalCase[]> {
  const cases: EvalCase[] = [];
  let index = 0;
  for await (const evalCase of dataset.cases()) if (index++ % every === 0) cases.push(evalCase);
  return cases;
}

/** The mean score of `metric` over the cases, each played by `play`; throws if the metric skipped a case. */
async function meanScore(metric: string, dataset: EvalDataset, cases: readonly EvalCase[], play: (evalCase: EvalCase) => TargetOutput | Promise<TargetOutput>): Promise<number> {
  const scorer = createMetric(metric);
  let total = 0;
  for (const evalCase of cases) {
    const [score] = await scorer.score(evalCase, await play(evalCase), { dataset });
    if (score!.value === null) throw new Error(`${metric} did not apply to case ${evalCase.id}`);
    total += score!.value;
  }
  return total / cases.length;
}

const answer = (text: string): TargetOutput => ({ answer: text, latencyMs: 1 });

describe('answer scorers on NQ-open, PubMedQA, HotpotQA and RGB', () => {
  it('exact_match and f1 give the gold answer 1.0 and another question’s answer less (NQ-open)', async () => {
    const dataset = await loadDataset('nq-open');
    // Answers that SQuAD normalisation empties ("---", "A+" → "a" → "") score 0 even against themselves, as in the
    // official script, so they cannot show a gold player's 1.0.
    const cases = (await collect(dataset, 10)).filter((evalCase) => normalizeAnswer(evalCase.expected.answers![0]!) !== '');
    for (const metric of ['exact_match', 'f1', 'contains']) {
      expect(await meanScore(metric, dataset, cases, (evalCase) => answer(`The ${evalCase.expected.answers![0]!}.`))).toBe(1);
      expect(await meanScore(metric, dataset, cases, (evalCase) => answer(cases[(cases.indexOf(evalCase) + 1) % cases.length]!.expected.answers![0]!))).toBeLessThan(0.1);
    }
  });

  it('label_accuracy reads the gold label from prose (1.0) and catches the wrong one (0) on PubMedQA', async () => {
    const dataset = await loadDataset('pubmedqa');
    const cases = await collect(dataset, 5);
    const other = { yes: 'no', no: 'maybe', maybe: 'yes' } as Record<string, string>;
    expect(await meanScore('label_accuracy', dataset, cases, (evalCase) => answer(`Answer: ${evalCase.expected.label}. ${evalCase.expected.answers![0]}`))).toBe(1);
    expect(await meanScore('label_accuracy', dataset, cases, (evalCase) => answer(`${other[evalCase.expected.label!]!.toUpperCase()} — the abstract suggests so.`))).toBe(0);
  });

  it('retrieval metrics give the supporting paragraphs 1.0 and distractors 0 on HotpotQA', async () => {
    const dataset = await loadDataset('hotpotqa');
    const cases = await collect(dataset);
    const supporting = (evalCase: EvalCase): TargetOutput => ({ retrieved: Object.keys(evalCase.expected.relevant!).map((id) => ({ id })), latencyMs: 1 });
    const distractors = (evalCase: EvalCase): TargetOutput => ({
      retrieved: evalCase.context!.map((paragraph) => paragraph.slice(0, paragraph.indexOf(': '))).filter((title) => !(title in evalCase.expected.relevant!)).map((id) => ({ id })),
      latencyMs: 1,
    });
    for (const metric of ['ndcg@10', 'recall@2', 'mrr', 'map']) {
      expect(await meanScore(metric, dataset, cases, supporting)).toBe(1);
      expect(await meanScore(metric, dataset, cases, distractors)).toBe(0);
    }
    expect(await meanScore('exact_match', dataset, cases, (evalCase) => answer(evalCase.expected.answers![0]!))).toBe(1);
  });

  it('ranking the judged documents by grade scores nDCG 1.0 on Cranfield; reversing it scores less', async () => {
    const dataset = await loadDataset('cranfield');
    const cases = await collect(dataset, 5);
    const byGrade = (evalCase: EvalCase, direction: 1 | -1): TargetOutput => ({
      retrieved: Object.entries(evalCase.expected.relevant!).sort(([, left], [, right]) => direction * (right - left)).map(([id]) => ({ id })),
      latencyMs: 1,
    });
    expect(await meanScore('ndcg@10', dataset, cases, (evalCase) => byGrade(evalCase, 1))).toBeCloseTo(1, 12);
    expect(await meanScore('ndcg@10', dataset, cases, (evalCase) => byGrade(evalCase, -1))).toBeLessThan(0.95);
  });

  it('RGB: the true answer passes contains, flagging factual errors passes the counterfactual check; the fake answer fails both', async () => {
    const dataset = await loadDataset('rgb');
    const cases = await collect(dataset);
    const counterfactual = cases.filter((evalCase) => evalCase.category === 'counterfactual');
    const gold = (evalCase: EvalCase) => answer(`There are factual errors in the provided documents. The answer is ${evalCase.expected.answers![0]}.`);
    const fooled = (evalCase: EvalCase) => answer(`The answer is ${String(evalCase.metadata?.fakeAnswer)}.`);
    expect(await meanScore('contains', dataset, cases, gold)).toBe(1);
    expect(await meanScore('regex', dataset, counterfactual, gold)).toBe(1);
    expect(await meanScore('regex', dataset, counterfactual, fooled)).toBe(0);
    expect(await meanScore('contains', dataset, counterfactual, fooled)).toBeLessThan(0.1);
  });
});

describe('tool-call scorers on every BFCL case', () => {
  it('bfcl_ast gives the gold calls 1.0 in every category (1390 cases)', async () => {
    const dataset = await loadDataset('bfcl');
    const cases = await collect(dataset);
    expect(cases).toHaveLength(1390);
    expect(await meanScore('bfcl_ast', dataset, cases, (evalCase) => ({ toolCalls: bfclGoldCalls(evalCase), latencyMs: 1 }))).toBe(1);
  });

  it('bfcl_ast catches a wrong argument type, a wrong value, a missing call and a call where none fits', async () => {
    const dataset = await loadDataset('bfcl');
    const cases = (await collect(dataset)).filter((evalCase) => evalCase.category === 'simple' || evalCase.category === 'parallel');
    const corrupt = (evalCase: EvalCase, change: (value: unknown) => unknown): TargetOutput => {
      const [first, ...rest] = bfclGoldCalls(evalCase);
      const numeric = Object.entries(first!.arguments).find(([, value]) => typeof value === 'number');
      return { toolCalls: numeric ? [{ name: first!.name, arguments: { ...first!.arguments, [numeric[0]]: change(numeric[1]) } }, ...rest] : [], latencyMs: 1 };
    };
    expect(await meanScore('bfcl_ast', dataset, cases, (evalCase) => corrupt(evalCase, (value) => String(value)))).toBe(0);
    expect(await meanScore('bfcl_ast', dataset, cases, (evalCase) => corrupt(evalCase, (value) => (value as number) * 1000 + 7))).toBe(0);
    expect(await meanScore('bfcl_ast', dataset, cases, (evalCase) => ({ toolCalls: bfclGoldCalls(evalCase).slice(1), latencyMs: 1 }))).toBe(0);

    const irrelevant = await collect(await loadDataset('bfcl', { category: 'irrelevance' }));
    const callAnyway = (evalCase: EvalCase): TargetOutput => ({ toolCalls: [{ name: evalCase.functions![0]!.name, arguments: {} }], latencyMs: 1 });
    for (const metric of ['bfcl_ast', 'irrelevance']) {
      expect(await meanScore(metric, dataset, irrelevant, () => ({ latencyMs: 1 }))).toBe(1);
      expect(await meanScore(metric, dataset, irrelevant, callAnyway)).toBe(0);
    }
  });
});

describe('tau2 scorers on retail tasks', () => {
  // One task of each single kind of write action, plus tasks whose gold includes refused actions (wrong email,
  // unknown order, an exchange the gift card cannot pay for).
  const extra = ['35', '46', '67', '105'];

  async function sample(dataset: EvalDataset): Promise<EvalCase[]> {
    const firstOfKind = new Map<string, EvalCase>();
    for (const evalCase of await collect(dataset)) {
      if (!evalCase.category!.includes('+') && !firstOfKind.has(evalCase.category!)) firstOfKind.set(evalCase.category!, evalCase);
      if (extra.includes(evalCase.id)) firstOfKind.set(evalCase.id, evalCase);
    }
    return [...firstOfKind.values()];
  }

  async function play(dataset: EvalDataset, evalCase: EvalCase, actions = evalCase.expected.actions!): Promise<TargetOutput> {
    const environment = dataset.environment!(evalCase);
    for (const action of actions) await environment.call(action);
    return { toolCalls: actions, finalState: environment.snapshot(), answer: `Done. ${evalCase.expected.outputs!.join(', ')}`, latencyMs: 1 };
  }

  async function scores(dataset: EvalDataset, evalCase: EvalCase, output: TargetOutput, metrics: readonly string[]): Promise<Record<string, number | null>> {
    const values: Record<string, number | null> = {};
    for (const metric of metrics) values[metric] = (await createMetric(metric).score(evalCase, output, { dataset }))[0]!.value;
    return values;
  }

  it('the gold actions played on the environment score 1.0; a missing or wrong write scores 0', async () => {
    const dataset = await loadDataset('tau2-retail');
    const cases = await sample(dataset);
    expect(cases.length).toBeGreaterThanOrEqual(9);
    for (const evalCase of cases) {
      // A task with no gold action at all (the agent must change nothing) has no actions to check.
      const actions = evalCase.expected.actions!.length === 0 ? null : 1;
      expect(await scores(dataset, evalCase, await play(dataset, evalCase), ['tau2_db', 'tau2_actions', 'tau2_reward'])).toEqual({ tau2_db: 1, tau2_actions: actions, tau2_reward: 1 });
    }
    const writes = new Set(['cancel_pending_order', 'exchange_delivered_order_items', 'modify_pending_order_address', 'modify_pending_order_items', 'modify_user_address', 'return_delivered_order_items']);
    const withWrites = cases.filter((evalCase) => evalCase.id !== '105' && evalCase.expected.actions!.some((action) => writes.has(action.name)));
    expect(withWrites.length).toBeGreaterThanOrEqual(5);
    for (const evalCase of withWrites) {
      const withoutWrites = evalCase.expected.actions!.filter((action) => !writes.has(action.name));
      expect(await scores(dataset, evalCase, await play(dataset, evalCase, withoutWrites), ['tau2_db', 'tau2_actions'])).toEqual({ tau2_db: 0, tau2_actions: 0 });
    }
    const cancel = cases.find((evalCase) => evalCase.category === 'cancel_pending_order')!;
    const wrongReason = cancel.expected.actions!.map((action) =>
      action.name === 'cancel_pending_order' ? { ...action, arguments: { ...action.arguments, reason: action.arguments.reason === 'no longer needed' ? 'ordered by mistake' : 'no longer needed' } } : action,
    );
    expect(await scores(dataset, cancel, await play(dataset, cancel, wrongReason), ['tau2_db'])).toEqual({ tau2_db: 0 });
  });

  it('tau2_outputs needs every expected output in the reply, ignoring case and commas', async () => {
    const dataset = await loadDataset('tau2-retail');
    const cases = (await collect(dataset)).filter((evalCase) => evalCase.expected.outputs!.length > 0);
    expect(await meanScore('tau2_outputs', dataset, cases, (evalCase) => answer(`Here you go: ${evalCase.expected.outputs!.map((output) => output.toUpperCase()).join(', ')}`))).toBe(1);
    expect(await meanScore('tau2_outputs', dataset, cases, (evalCase) => answer(`Here you go: ${evalCase.expected.outputs!.slice(1).join(' ')}`))).toBeLessThan(1);
    const [score] = await createMetric('tau2_db').score(cases[0]!, answer('no state'), { dataset });
    expect(score).toMatchObject({ value: 0, details: { reason: expect.any(String) } });
  });
});
