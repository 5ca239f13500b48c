import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { documentRoutes } from './documents.js';
import { graphRoutes } from './graph.js';
import { ingestJobRoutes } from './ingest-jobs.js';
import { knowledgeBaseRoutes } from './knowledge-bases.js';
import type { UploadLimits } from './receive-uploads.js';
import { searchRoutes } from './search.js';
import { uploadRoutes } from './uploads.js';

/** Files per upload request: enough for a folder of documents, few enough that one request stays one job. */
const MAX_FILES_PER_UPLOAD = 100;
/** Bytes per upload request, in files of the per-file limit: bounds the disk one request can take while queued. */
const TOTAL_UPLOAD_IN_FILES = 4;

/**
 * Knowledge bases over HTTP: /knowledge-bases (create, list, get, delete), their documents (upload, list, get,
 * delete), the ingest jobs uploads start (status and SSE progress), and search. Multipart parsing is registered
 * here, so only these routes accept multipart bodies. Writes need the `ingest` scope, reads and search `chat`.
 */
export async function knowledgeRoutes(app: FastifyInstance, options: { runtime: Runtime }): Promise<void> {
  const { runtime } = options;
  const limits: UploadLimits = {
    fileBytes: runtime.config.limits.uploadBytes,
    totalBytes: runtime.config.limits.uploadBytes * TOTAL_UPLOAD_IN_FILES,
    files: MAX_FILES_PER_UPLOAD,
    fields: 100,
  };
  await app.register(multipart, {
    // Over-limit files are refused by receiveUploads with the catalogue's codes, rather than the parser's errors.
    throwFileSizeLimit: false,
    // File names keep their folders (`manuals/setup.pdf`): they become document ids, as paths under a folder do in
    // `trellis ingest`. receiveUploads refuses the ones that could climb out of the staging folder.
    preservePath: true,
    limits: { fileSize: limits.fileBytes, files: limits.files, fields: limits.fields, fieldSize: 64 * 1024, parts: limits.files + limits.fields },
  });
  await app.register(knowledgeBaseRoutes, { runtime });
  await app.register(documentRoutes, { runtime });
  await app.register(uploadRoutes, { runtime, limits });
  // Open event streams end when the server starts closing, instead of holding it open until their jobs end.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());
  await app.register(ingestJobRoutes, { runtime, closing: closing.signal });
  await app.register(searchRoutes, { runtime });
  await app.register(graphRoutes, { runtime });
}
