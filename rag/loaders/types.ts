import type { TrellisError } from '../../core/errors.js';

/** Scalar facts about a document, kept beside its chunks and usable in retrieval filters. */
export type DocumentMetadata = Record<string, string | number | boolean>;

/** Where one page of a paginated source (PDF) lies in {@link LoadedDocument.text}. */
export interface PageSpan {
  /** 1-based page number, as a reader of the original file counts them. */
  number: number;
  /** Character offset of the page's first character in `text`. */
  start: number;
  /** Character offset just past the page's last character in `text`. */
  end: number;
}

/** One source file (or one record of a JSONL/CSV file) turned into plain text ready for chunking. */
export interface LoadedDocument {
  /**
   * Stable identity: the source path relative to the walked root (posix separators), plus `#<record id>` for
   * records. It never depends on content, so an edited file keeps its id and ingestion can replace it.
   */
  id: string;
  /** Where the text came from, for citations: the relative path (or URI) of the file. */
  source: string;
  title?: string;
  /** The media type of the original file, not of `text` (always plain text or Markdown). */
  mimeType: string;
  text: string;
  /** Present for paginated sources: character spans of each page in `text`, in page order. */
  pages?: PageSpan[];
  metadata: DocumentMetadata;
  /** sha256 (hex) of the raw bytes the document was read from, so ingestion can skip unchanged files. */
  contentHash: string;
}

/** The raw bytes of one file and the names it is known by. */
export interface LoaderInput {
  bytes: Uint8Array;
  /** Path relative to the walked root (posix separators); becomes the document id and source. */
  relativePath: string;
}

/** One outcome of a batch: a document, or the coded reason one file (or record) could not become one. */
export type LoadOutcome =
  | { readonly ok: true; readonly document: LoadedDocument }
  | { readonly ok: false; readonly path: string; readonly error: TrellisError };
