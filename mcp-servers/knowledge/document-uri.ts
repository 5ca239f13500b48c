/** The URI template of a knowledge-base document resource. */
export const DOCUMENT_URI_TEMPLATE = 'trellis://kb/{kb}/doc/{documentId}';

/**
 * A document's resource URI: `trellis://kb/<kb>/doc/<id>`, each part percent-encoded (document ids are paths, with
 * `/` and `#`), so the template's variables never run into each other.
 *
 * @example
 * documentUri('handbook', 'policies/leave.md'); // 'trellis://kb/handbook/doc/policies%2Fleave.md'
 */
export function documentUri(kb: string, documentId: string): string {
  return `trellis://kb/${encodeURIComponent(kb)}/doc/${encodeURIComponent(documentId)}`;
}

/** The knowledge base and document id of a template match; undefined when a part is not valid percent-encoding. */
export function parseDocumentVariables(variables: Record<string, string | string[]>): { kb: string; documentId: string } | undefined {
  const { kb, documentId } = variables;
  if (typeof kb !== 'string' || typeof documentId !== 'string') return undefined;
  try {
    return { kb: decodeURIComponent(kb), documentId: decodeURIComponent(documentId) };
  } catch {
    return undefined;
  }
}
