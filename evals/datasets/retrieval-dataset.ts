/** One document of a retrieval collection. */
export interface CorpusDocument {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

/** One query of a retrieval collection. */
export interface DatasetQuery {
  readonly id: string;
  readonly text: string;
}

/** Relevance judgments: query id → document id → gain (> 0 relevant; 0 or absent not relevant). */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** A corpus, its queries and their judgments; only judged queries are usually evaluated. */
export interface RetrievalDataset {
  readonly name: string;
  readonly corpus: readonly CorpusDocument[];
  readonly queries: readonly DatasetQuery[];
  readonly qrels: Qrels;
}
