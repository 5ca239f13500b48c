import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { principalOf } from '../../plugins/auth.js';
import { DocumentSchema, KbParams, toDocumentWire } from './schemas.js';

const tags = ['documents'];
const DocumentParams = KbParams.extend({
  documentId: z.string().min(1).describe('The document id, URL-encoded (it is a path, and may hold `/` and `#`)'),
});

/** Read and delete the documents of a knowledge base; uploads are in uploads.ts. */
export async function documentRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { knowledge } = options.runtime;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/knowledge-bases/:kb/documents',
    {
      config: { scope: 'chat' },
      schema: {
        tags,
        summary: 'List the documents of a knowledge base, in id order, a page at a time',
        params: KbParams,
        querystring: z.strictObject({
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: z.string().max(2048).optional().describe('The next_cursor of the previous page'),
        }),
        response: {
          200: z.object({
            data: z.array(DocumentSchema),
            total: z.number().int(),
            next_cursor: z.string().nullable().describe('Pass it as `cursor` for the next page; null on the last page'),
          }),
        },
      },
    },
    async (request) => {
      const kb = knowledge.knowledgeBases.getByName(principalOf(request).tenantId, request.params.kb);
      const { limit, cursor } = request.query;
      // One more than asked tells whether another page follows without a count query.
      const page = knowledge.documents.list(kb.id, { after: cursor === undefined ? undefined : decodeCursor(cursor), limit: limit + 1 });
      const data = page.slice(0, limit);
      return {
        data: data.map(toDocumentWire),
        total: knowledge.documents.countDocuments(kb.id),
        next_cursor: page.length > limit ? encodeCursor(data.at(-1)!.id) : null,
      };
    },
  );

  routes.get(
    '/knowledge-bases/:kb/documents/:documentId',
    {
      config: { scope: 'chat' },
      schema: {
        tags,
        summary: 'Get a document with its stored text (the text citation offsets point into)',
        params: DocumentParams,
        response: { 200: DocumentSchema.extend({ text: z.string() }) },
      },
    },
    async (request) => {
      const kb = knowledge.knowledgeBases.getByName(principalOf(request).tenantId, request.params.kb);
      const document = knowledge.documents.get(kb.id, request.params.documentId);
      if (!document) throw new TrellisError('DOCUMENT_NOT_FOUND', `document ${request.params.documentId} not found in knowledge base ${kb.name}`);
      return { ...toDocumentWire(document), text: document.text };
    },
  );

  routes.delete(
    '/knowledge-bases/:kb/documents/:documentId',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: 'Delete a document from the knowledge base and from every index',
        params: DocumentParams,
        response: { 200: z.object({ id: z.string(), chunks_removed: z.number().int() }) },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { kb, documentId } = request.params;
      const { chunksRemoved } = await knowledge.deleteDocument({ tenantId, kb, documentId });
      return { id: documentId, chunks_removed: chunksRemoved };
    },
  );
}

// Opaque on the wire so the paging scheme can change; today it is the last document id of the page.
function encodeCursor(documentId: string): string {
  return Buffer.from(documentId, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw new TrellisError('API_BODY_INVALID', 'cursor is not one this server handed out');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
