/**
 * The dataset's own id of an ingested document: ingestion names a record of `corpus.jsonl` `corpus.jsonl#<id>`,
 * while judgments name `<id>`. Documents that are not records keep their whole id.
 */
export function datasetDocumentId(documentId: string): string {
  const hash = documentId.indexOf('#');
  return hash === -1 ? documentId : documentId.slice(hash + 1);
}
