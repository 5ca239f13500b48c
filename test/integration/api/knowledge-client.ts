import type { ApiServer } from '../../helpers/api-server.js';

/** A file for a multipart upload: its name (a relative path) and its bytes. */
export interface UploadFile {
  readonly name: string;
  readonly content: string | Uint8Array;
}

export interface SseFrame {
  readonly id: number;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** The wire shape of an ingest job, as far as the tests read it. */
export interface JobWire {
  id: string;
  kb: string;
  status: string;
  files: { name: string; bytes: number; status: string; documents: number; error: { code: string; message: string } | null }[];
  files_done: number;
  files_total: number;
  counts: Record<string, number>;
  dense: boolean | null;
  error: { code: string } | null;
}

export function uploadForm(files: readonly UploadFile[]): FormData {
  const form = new FormData();
  for (const file of files) {
    // A copy, because Blob takes views over an ArrayBuffer only and a Buffer may sit on a shared one.
    form.append('file', new Blob([typeof file.content === 'string' ? file.content : new Uint8Array(file.content)]), file.name);
  }
  return form;
}

export async function upload(server: ApiServer, kb: string, files: readonly UploadFile[], key?: string): Promise<Response> {
  return server.request(`/knowledge-bases/${encodeURIComponent(kb)}/documents`, { method: 'POST', body: uploadForm(files), key });
}

/** Parses a complete `text/event-stream` body into its frames. */
export function parseSse(body: string): SseFrame[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const fields = new Map(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]));
      return { id: Number(fields.get('id')), event: fields.get('event') ?? '', data: JSON.parse(fields.get('data') ?? 'null') };
    });
}

/** Follows the job's event stream to its end; returns every frame and the final job from `ingest-end`. */
export async function followJob(server: ApiServer, kb: string, jobId: string, init: { key?: string; lastEventId?: number } = {}) {
  const response = await server.request(`/knowledge-bases/${encodeURIComponent(kb)}/ingest-jobs/${jobId}/events`, {
    key: init.key,
    headers: init.lastEventId === undefined ? {} : { 'last-event-id': String(init.lastEventId) },
  });
  if (response.status !== 200) throw new Error(`event stream answered ${response.status}: ${await response.text()}`);
  const frames = parseSse(await response.text());
  const end = frames.at(-1);
  if (end?.event !== 'ingest-end') throw new Error(`the stream ended without ingest-end: ${JSON.stringify(frames)}`);
  return { frames, job: end.data.job as JobWire, contentType: response.headers.get('content-type') };
}

/** Uploads and waits for the job: the accepted job (202 body) and the finished one. */
export async function ingest(server: ApiServer, kb: string, files: readonly UploadFile[]) {
  const response = await upload(server, kb, files);
  if (response.status !== 202) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
  const accepted = (await response.json()) as JobWire;
  const { job } = await followJob(server, kb, accepted.id);
  return { accepted, job, location: response.headers.get('location') };
}

export async function createKnowledgeBase(server: ApiServer, name: string, key?: string): Promise<Response> {
  return server.request('/knowledge-bases', { method: 'POST', json: { name }, key });
}
