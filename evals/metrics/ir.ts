/**
 * Ranked-retrieval metrics with trec_eval's definitions, for one query at a time: `ranking` is the retrieved
 * document ids, best first (duplicates are the caller's bug); `judgments` maps document id to gain, where a gain
 * > 0 is relevant. Every function returns 0 for a query with no relevant document; callers usually skip those
 * queries, as trec_eval does.
 */
export type Judgments = ReadonlyMap<string, number>;

/**
 * nDCG@k as trec_eval's `ndcg_cut.k`: DCG = Σ gain_i / log2(i + 1) over the top k (gain = the judgment grade),
 * divided by the DCG of the ideal ordering of all judged documents cut at k.
 */
export function ndcgAtK(ranking: readonly string[], judgments: Judgments, k: number): number {
  const ideal = [...judgments.values()].filter((gain) => gain > 0).sort((left, right) => right - left);
  const idealDcg = dcg(ideal.slice(0, k));
  if (idealDcg === 0) return 0;
  return dcg(ranking.slice(0, k).map((id) => Math.max(judgments.get(id) ?? 0, 0))) / idealDcg;
}

/** Share of the relevant documents found in the top k. */
export function recallAtK(ranking: readonly string[], judgments: Judgments, k: number): number {
  const relevant = countRelevant(judgments);
  if (relevant === 0) return 0;
  return ranking.slice(0, k).filter((id) => isRelevant(judgments, id)).length / relevant;
}

/** 1 / rank of the first relevant document in the top k, or 0. */
export function mrrAtK(ranking: readonly string[], judgments: Judgments, k: number): number {
  const index = ranking.slice(0, k).findIndex((id) => isRelevant(judgments, id));
  return index === -1 ? 0 : 1 / (index + 1);
}

/**
 * Average precision over the whole ranking (trec_eval's `map` per query): the mean, over all relevant documents,
 * of the precision at the rank where each was found (0 for those never found).
 */
export function averagePrecision(ranking: readonly string[], judgments: Judgments): number {
  const relevant = countRelevant(judgments);
  if (relevant === 0) return 0;
  let found = 0;
  let total = 0;
  ranking.forEach((id, index) => {
    if (!isRelevant(judgments, id)) return;
    found += 1;
    total += found / (index + 1);
  });
  return total / relevant;
}

/** Mean of each metric over the queries that have at least one relevant document. */
export interface RunMetrics {
  readonly 'ndcg@10': number;
  /** Recall at small cuts: multi-hop questions need every supporting passage within the few a reader gets. */
  readonly 'recall@2': number;
  readonly 'recall@5': number;
  readonly 'recall@10': number;
  readonly 'recall@100': number;
  readonly 'mrr@10': number;
  readonly map: number;
  /** Queries evaluated (those with a relevant document). */
  readonly queries: number;
}

/** Scores a whole run: query id → ranking, against query id → judgments. Unjudged queries are skipped. */
export function evaluateRun(
  run: ReadonlyMap<string, readonly string[]>,
  qrels: ReadonlyMap<string, Judgments>,
): RunMetrics {
  const totals = { ndcg: 0, recall2: 0, recall5: 0, recall10: 0, recall: 0, mrr: 0, map: 0, queries: 0 };
  for (const [queryId, judgments] of qrels) {
    if (countRelevant(judgments) === 0) continue;
    const ranking = run.get(queryId) ?? [];
    totals.ndcg += ndcgAtK(ranking, judgments, 10);
    totals.recall2 += recallAtK(ranking, judgments, 2);
    totals.recall5 += recallAtK(ranking, judgments, 5);
    totals.recall10 += recallAtK(ranking, judgments, 10);
    totals.recall += recallAtK(ranking, judgments, 100);
    totals.mrr += mrrAtK(ranking, judgments, 10);
    totals.map += averagePrecision(ranking, judgments);
    totals.queries += 1;
  }
  const mean = (value: number) => (totals.queries === 0 ? 0 : value / totals.queries);
  return {
    'ndcg@10': mean(totals.ndcg),
    'recall@2': mean(totals.recall2),
    'recall@5': mean(totals.recall5),
    'recall@10': mean(totals.recall10),
    'recall@100': mean(totals.recall),
    'mrr@10': mean(totals.mrr),
    map: mean(totals.map),
    queries: totals.queries,
  };
}

function dcg(gains: readonly number[]): number {
  return gains.reduce((total, gain, index) => total + gain / Math.log2(index + 2), 0);
}

function isRelevant(judgments: Judgments, id: string): boolean {
  return (judgments.get(id) ?? 0) > 0;
}

function countRelevant(judgments: Judgments): number {
  let count = 0;
  for (const gain of judgments.values()) if (gain > 0) count += 1;
  return count;
}
