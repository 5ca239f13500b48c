import { TrellisError } from '../../core/errors.js';

/** One record of a SMART tagged file: its `.I` id and the text of each field, by tag letter. */
export interface SmartRecord {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

const TAG = /^\.([A-Z])(?:\s+(.*))?$/;

/**
 * Parses the SMART tagged format of the classic collections (Cranfield, CISI, …): a record starts at `.I <id>`,
 * and each `.X` tag line opens a field that runs until the next tag line. A repeated tag (CISI's several `.A`)
 * is appended to the same field. Text on a tag's own line (`.T 18 Editions…` in some files) belongs to the field.
 */
export function parseSmart(text: string, file: string): SmartRecord[] {
  const records: { id: string; fields: Record<string, string[]> }[] = [];
  let field: string[] | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    const tag = TAG.exec(line.trimEnd());
    if (tag) {
      const [, letter, rest] = tag as unknown as [string, string, string | undefined];
      if (letter === 'I') {
        const id = (rest ?? '').trim();
        if (id === '') throw new TrellisError('EVAL_DATASET_INVALID', `${file} line ${index + 1}: .I without an id`, { details: { file, line: index + 1 } });
        records.push({ id, fields: {} });
        field = undefined;
        return;
      }
      const record = records.at(-1);
      if (!record) throw new TrellisError('EVAL_DATASET_INVALID', `${file} line ${index + 1}: .${letter} before any .I`, { details: { file, line: index + 1 } });
      field = record.fields[letter] ??= [];
      if (rest && rest.trim() !== '') field.push(rest);
      return;
    }
    field?.push(line);
  });
  return records.map(({ id, fields }) => ({
    id,
    fields: Object.fromEntries(Object.entries(fields).map(([letter, lines]) => [letter, lines.join('\n').trim()])),
  }));
}
