import { describe, expect, it } from 'vitest';
import { documentUri, parseDocumentVariables } from '../../../../mcp-servers/knowledge/document-uri.js';

describe('document resource URIs', () => {
  it('encode each part, so ids with / and # round-trip through the template', () => {
    const uri = documentUri('hr handbook', 'policies/leave.csv#row-7');
    expect(uri).toBe('trellis://kb/hr%20handbook/doc/policies%2Fleave.csv%23row-7');
    const [, kb, documentId] = /^trellis:\/\/kb\/([^/]+)\/doc\/([^/]+)$/.exec(uri)!;
    expect(parseDocumentVariables({ kb: kb!, documentId: documentId! })).toEqual({ kb: 'hr handbook', documentId: 'policies/leave.csv#row-7' });
  });

  it('reject parts that are not valid percent-encoding', () => {
    expect(parseDocumentVariables({ kb: 'help', documentId: '%E0%A4%A' })).toBeUndefined();
  });
});
