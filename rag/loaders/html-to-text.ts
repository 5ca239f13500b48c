/** The minimal DOM surface the text extraction walks; both linkedom and browser nodes satisfy it. */
interface TextNodeLike {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<TextNodeLike>;
}

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;
const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'IFRAME', 'HEAD']);
const BLOCKS = new Set([
  'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'DD', 'DIV', 'DL', 'DT', 'FIGCAPTION', 'FIGURE', 'FOOTER', 'FORM',
  'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER', 'HR', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'TABLE',
  'TR', 'UL',
]);

/**
 * Text of a DOM subtree with paragraph breaks kept: `textContent` would glue `<p>a</p><p>b</p>` into "ab", and the
 * splitter needs the blank lines between blocks to cut at paragraph boundaries.
 */
export function htmlNodeToText(root: TextNodeLike): string {
  const parts: string[] = [];
  const walk = (node: TextNodeLike): void => {
    if (node.nodeType === TEXT_NODE) {
      parts.push((node.textContent ?? '').replace(/\s+/g, ' '));
      return;
    }
    if (node.nodeType !== ELEMENT_NODE && node.nodeType !== 9 && node.nodeType !== 11) return;
    const name = node.nodeName.toUpperCase();
    if (SKIPPED.has(name)) return;
    if (name === 'BR') {
      parts.push('\n');
      return;
    }
    const block = BLOCKS.has(name);
    if (block) parts.push('\n\n');
    for (let index = 0; index < node.childNodes.length; index += 1) walk(node.childNodes[index] as TextNodeLike);
    if (block) parts.push('\n\n');
  };
  walk(root);
  return parts
    .join('')
    .replace(/[ \t]*\n[ \t]*/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
