import { parse as parseCsv } from 'csv-parse/sync';
import { TrellisError } from '../../core/errors.js';
import { sha256Hex } from './content-hash.js';
import { decodeUtf8Text } from './decode-text.js';
import type { DocumentMetadata, LoadedDocument, LoaderInput } from './types.js';

/** How records map onto documents; the defaults read BEIR corpora (`_id`, `title`, `text`) unchanged. */
export interface RecordFieldOptions {
  /** Fields whose values, joined by blank lines, become the text; missing ones are skipped. Default text/content/body. */
  textFields?: readonly string[];
  /** Fields tried in order for the record id. Default `id`, then `_id`; else the record's line or row number. */
  idFields?: readonly string[];
  /** Field holding the title. Default `title`. */
  titleField?: string;
}

const DEFAULT_TEXT_FIELDS = ['text', 'content', 'body'] as const;
const DEFAULT_ID_FIELDS = ['id', '_id'] as const;
const encoder = new TextEncoder();

/**
 * Loads a JSONL or CSV file in which every record (line / row) is its own document, with id `<path>#<record id>`.
 * Scalar fields other than text and title become metadata. A record with no text but a title is indexed by its
 * title (BEIR has such records); a record with neither is skipped. Throws DOCUMENT_UNREADABLE naming the first
 * malformed line or row, DOCUMENT_EMPTY when no record has text.
 */
export function loadRecords(input: LoaderInput, format: 'jsonl' | 'csv', options: RecordFieldOptions = {}): LoadedDocument[] {
  const { relativePath } = input;
  const content = decodeUtf8Text(input.bytes, relativePath);
  const rows = format === 'jsonl' ? parseJsonl(content, relativePath) : parseCsvRows(content, relativePath);
  const documents: LoadedDocument[] = [];
  const seen = new Set<string>();
  for (const { record, raw, position } of rows) {
    const document = recordToDocument(record, raw, position, input, format, options);
    if (document === undefined) continue;
    if (seen.has(document.id)) {
      throw new TrellisError('DOCUMENT_UNREADABLE', `${relativePath} holds the record id ${document.id} twice`, {
        hint: 'Give every record a unique id field, or set the id field option to one that is unique.',
        details: { path: relativePath, id: document.id },
      });
    }
    seen.add(document.id);
    documents.push(document);
  }
  if (documents.length === 0) {
    throw new TrellisError('DOCUMENT_EMPTY', `${relativePath} has no record with a text field`, {
      hint: `Records need one of the fields ${(options.textFields ?? DEFAULT_TEXT_FIELDS).join(', ')}; set textFields to name yours.`,
      details: { path: relativePath },
    });
  }
  return documents;
}

interface RawRecord {
  record: Record<string, unknown>;
  /** The record's own source text, hashed so one edited record changes one content hash. */
  raw: string;
  /** 1-based line (JSONL) or data row (CSV) number. */
  position: number;
}

function parseJsonl(content: string, relativePath: string): RawRecord[] {
  const rows: RawRecord[] = [];
  const lines = content.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw malformed(relativePath, `line ${index + 1} is not valid JSON`, error);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw malformed(relativePath, `line ${index + 1} is not a JSON object`);
    }
    rows.push({ record: value as Record<string, unknown>, raw: line, position: index + 1 });
  });
  return rows;
}

function parseCsvRows(content: string, relativePath: string): RawRecord[] {
  try {
    const rows = parseCsv(content, { columns: true, skip_empty_lines: true, raw: true, trim: false }) as {
      record: Record<string, string>;
      raw: string;
    }[];
    return rows.map(({ record, raw }, index) => ({ record, raw, position: index + 1 }));
  } catch (error) {
    throw malformed(relativePath, 'it is not valid CSV', error);
  }
}

function recordToDocument(
  record: Record<string, unknown>,
  raw: string,
  position: number,
  { relativePath }: LoaderInput,
  format: 'jsonl' | 'csv',
  options: RecordFieldOptions,
): LoadedDocument | undefined {
  const textFields = options.textFields ?? DEFAULT_TEXT_FIELDS;
  const titleField = options.titleField ?? 'title';
  const idFields = options.idFields ?? DEFAULT_ID_FIELDS;
  const title = scalarText(record[titleField]);
  let text = textFields
    .map((field) => scalarText(record[field]))
    .filter((value): value is string => value !== undefined && value.trim() !== '')
    .join('\n\n');
  if (text === '' && title !== undefined && title.trim() !== '') text = title;
  if (text === '') return undefined;
  const recordId = idFields.map((field) => scalarText(record[field])).find((value) => value !== undefined && value !== '');
  const metadata: DocumentMetadata = { recordId: recordId ?? String(position), [format === 'jsonl' ? 'line' : 'row']: position };
  const used = new Set<string>([...textFields, titleField]);
  for (const [key, value] of Object.entries(record)) {
    if (used.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') metadata[key] = value;
  }
  return {
    id: `${relativePath}#${recordId ?? position}`,
    source: relativePath,
    ...(title ? { title } : {}),
    mimeType: format === 'jsonl' ? 'application/jsonl' : 'text/csv',
    text,
    metadata,
    contentHash: sha256Hex(encoder.encode(raw)),
  };
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function malformed(relativePath: string, reason: string, cause?: unknown): TrellisError {
  return new TrellisError('DOCUMENT_UNREADABLE', `${relativePath} is not a readable records file: ${reason}`, {
    hint: 'Fix the record named above (one JSON object per line for .jsonl, a header row for .csv); the rest of the batch went on.',
    cause,
    details: { path: relativePath },
  });
}
