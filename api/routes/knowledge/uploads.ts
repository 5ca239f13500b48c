import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TrellisError } from '../../../core/errors.js';
import type { Runtime } from '../../../runtime/create-runtime.js';
import { principalOf } from '../../plugins/auth.js';
import { receiveUploads, type ReceivedFile, type UploadLimits } from './receive-uploads.js';
import { IngestJobSchema, KbParams, toIngestJobWire } from './schemas.js';

// Documents the form for OpenAPI (so /docs can send files). The multipart parser leaves the body null, which this
// schema accepts: the parts themselves are checked by receiveUploads while they stream in.
const UploadForm = z
  .object({ file: z.array(z.string().meta({ format: 'binary' })).describe('One part per document; any part name works') })
  .nullish();

/**
 * Uploads: the files are streamed to a staging folder while the request arrives, checked one by one, and handed to
 * an ingest job; the answer is 202 with the job, to poll or to follow as SSE.
 */
export async function uploadRoutes(app: FastifyInstance, options: { runtime: Runtime; limits: UploadLimits }): Promise<void> {
  const { knowledge, ingestJobs } = options.runtime;
  const { limits } = options;
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/knowledge-bases/:kb/documents',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['documents'],
        summary: 'Upload documents (multipart/form-data, one file part per document) for ingestion',
        description:
          `Each file part is a document (.md, .txt, .html, .pdf, .docx, .jsonl, .csv); its file name, a relative path, ` +
          `becomes the document id, so uploading a file again replaces it, or costs nothing when unchanged. ` +
          `At most ${limits.files} files and ${limits.totalBytes} bytes per request, ${limits.fileBytes} bytes per file. ` +
          'A file whose bytes do not match its extension is refused (415) before anything is ingested. ' +
          'The answer is the queued ingest job; follow it at its Location, or its /events as server-sent events.',
        consumes: ['multipart/form-data'],
        params: KbParams,
        body: UploadForm,
        response: { 202: IngestJobSchema },
      },
      // Before body validation, so that a JSON or text body is told its media type is wrong, not its fields.
      preValidation: async (request) => {
        if (!request.isMultipart()) {
          throw new TrellisError('API_MEDIA_TYPE_UNSUPPORTED', 'documents are uploaded as multipart/form-data');
        }
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      // Checked before a byte of the body is read: an unknown (or another tenant's) knowledge base costs no upload.
      const kb = knowledge.knowledgeBases.getByName(tenantId, request.params.kb);
      const staging = await ingestJobs.stage();
      let files: ReceivedFile[];
      try {
        files = await receiveUploads(request, staging.dir, limits);
      } catch (error) {
        await staging.discard();
        throw error;
      }
      const job = ingestJobs.submit({ tenantId, kb: kb.name, staging, files });
      const location = `/knowledge-bases/${encodeURIComponent(kb.name)}/ingest-jobs/${job.id}`;
      return reply.code(202).header('location', location).send(toIngestJobWire(job));
    },
  );
}
