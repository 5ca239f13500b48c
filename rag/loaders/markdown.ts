import { sha256Hex } from './content-hash.js';
import { assertHasText, decodeUtf8Text } from './decode-text.js';
import type { LoadedDocument, LoaderInput } from './types.js';

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

/**
 * Loads a Markdown file, keeping its syntax (the Markdown splitter cuts at headings). YAML front matter is removed
 * from the text; its `title` (or else the first `#` heading) becomes the title.
 */
export function loadMarkdown({ bytes, relativePath }: LoaderInput): LoadedDocument {
  const raw = decodeUtf8Text(bytes, relativePath);
  const frontMatter = FRONT_MATTER.exec(raw);
  const text = frontMatter ? raw.slice(frontMatter[0].length) : raw;
  assertHasText(text, relativePath);
  const title = (frontMatter && frontMatterTitle(frontMatter[1] ?? '')) ?? firstHeading(text);
  return {
    id: relativePath,
    source: relativePath,
    ...(title === undefined ? {} : { title }),
    mimeType: 'text/markdown',
    text,
    metadata: {},
    contentHash: sha256Hex(bytes),
  };
}

function frontMatterTitle(yaml: string): string | undefined {
  const match = /^title:\s*(.+?)\s*$/m.exec(yaml);
  return match?.[1]?.replace(/^(['"])(.*)\1$/, '$2');
}

function firstHeading(text: string): string | undefined {
  return /^#{1,6}\s+(.+?)\s*#*\s*$/m.exec(text)?.[1];
}
