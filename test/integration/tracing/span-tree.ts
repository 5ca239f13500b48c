/** A span reduced to what its place in a trace tree depends on. */
export interface TreeSpan {
  readonly id: string;
  readonly parentId: string | undefined | null;
  readonly name: string;
  readonly start: number;
}

/** A trace as nested names, children in the order they started: what a test compares whole. */
export interface TreeNode {
  readonly name: string;
  readonly children: readonly TreeNode[];
}

/**
 * The trees the spans form, roots first. A span whose parent is not among the spans is a root: a trace with a broken
 * parent link shows up as a second root.
 */
export function spanTrees(spans: readonly TreeSpan[]): TreeNode[] {
  const ids = new Set(spans.map((span) => span.id));
  const build = (parentId: string | undefined): TreeNode[] =>
    spans
      .filter((span) => (parentId === undefined ? !span.parentId || !ids.has(span.parentId) : span.parentId === parentId))
      .sort((a, b) => a.start - b.start)
      .map((span) => ({ name: span.name, children: build(span.id) }));
  return build(undefined);
}

/** Shorthand for expected trees: `node('run assistant', node('node agent', node('chat model')))`. */
export function node(name: string, ...children: TreeNode[]): TreeNode {
  return { name, children };
}
