/** What an extractor reads: one chunk and its document's title (a chunk rarely names its subject; titles do). */
export interface ChunkToExtract {
  readonly id: string;
  readonly text: string;
  readonly title?: string | null;
}

/** An entity as an extractor found it in one chunk, before resolution gives it a key. */
export interface ExtractedEntity {
  readonly name: string;
  /** Lower-case: `person`, `organization`, `place`, `work`, `name` (a proper name of unknown kind), `concept`. */
  readonly type: string;
  readonly description: string;
  /** Proper names take part in name-variant and acronym resolution; concepts match by their key alone. */
  readonly proper: boolean;
  /** How strongly the chunk is about the entity (> 0). */
  readonly weight: number;
}

/** A relation between two entities of the same chunk, by their `name`s in its `entities`. */
export interface ExtractedRelation {
  readonly source: string;
  readonly target: string;
  readonly type: string;
  readonly description: string;
  readonly weight: number;
}

export interface ChunkExtraction {
  readonly chunkId: string;
  readonly entities: readonly ExtractedEntity[];
  readonly relations: readonly ExtractedRelation[];
}

/** Turns chunks into entities and relations: offline (wink-nlp) or with the chat model. */
export interface GraphExtractor {
  readonly name: string;
  extract(chunks: readonly ChunkToExtract[], options?: { readonly signal?: AbortSignal }): Promise<readonly ChunkExtraction[]>;
}
