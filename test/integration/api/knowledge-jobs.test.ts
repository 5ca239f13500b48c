import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../../../core/errors.js';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { createKnowledgeBase, followJob } from './knowledge-client.js';

// These tests queue jobs through the runtime directly: submitting and cancelling in one synchronous stretch is the
// only way to be sure a job is still queued when it is cancelled, with no sleep and no race.
describe('ingest jobs: cancellation, vanished knowledge bases, shutdown', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const stageFile = async (name: string, text: string) => {
    const staging = await server.runtime.ingestJobs.stage();
    writeFileSync(path.join(staging.dir, name), text);
    return { staging, files: [{ name, bytes: Buffer.byteLength(text) }] };
  };

  it('cancels queued jobs when their knowledge base is deleted, and removes their files', async () => {
    expect((await createKnowledgeBase(server, 'short-lived')).status).toBe(201);
    const first = await stageFile('one.md', '# One\n\nFirst text.\n');
    const second = await stageFile('two.md', '# Two\n\nSecond text.\n');
    const jobs = server.runtime.ingestJobs;
    const a = jobs.submit({ tenantId: 'acme', kb: 'short-lived', ...first });
    const b = jobs.submit({ tenantId: 'acme', kb: 'short-lived', ...second });
    await jobs.cancelKnowledgeBase('acme', 'short-lived');
    for (const job of [a, b]) {
      const { job: final, frames } = await followJob(server, 'short-lived', job.id);
      expect(final).toMatchObject({ status: 'cancelled', error: null, started_at: null });
      expect(frames.map((frame) => frame.event)).toEqual(['ingest-queued', 'ingest-end']);
    }
    expect(existsSync(first.staging.dir) || existsSync(second.staging.dir)).toBe(false);
    expect(server.runtime.knowledge.documents.countDocuments(server.runtime.knowledge.knowledgeBases.getByName('acme', 'short-lived').id)).toBe(0);
  });

  it('fails a job whose knowledge base vanished while it waited, without creating it again', async () => {
    expect((await createKnowledgeBase(server, 'vanishing')).status).toBe(201);
    const upload = await stageFile('note.md', '# Note\n\nSome text.\n');
    const job = server.runtime.ingestJobs.submit({ tenantId: 'acme', kb: 'vanishing', ...upload });
    const { knowledgeBases } = server.runtime.knowledge;
    knowledgeBases.delete(knowledgeBases.getByName('acme', 'vanishing'));
    // Read through the runtime: over HTTP the knowledge base is gone, so every job route answers KB_NOT_FOUND.
    const events = [];
    for await (const event of server.runtime.ingestJobs.events('acme', 'vanishing', job.id)) events.push(event.type);
    expect(events).toEqual(['ingest-queued', 'ingest-start', 'ingest-end']);
    expect(server.runtime.ingestJobs.get('acme', 'vanishing', job.id)).toMatchObject({ status: 'failed', error: { code: 'KB_NOT_FOUND' } });
    expect(knowledgeBases.list('acme').map((kb) => kb.name)).not.toContain('vanishing');
    expect(existsSync(upload.staging.dir)).toBe(false);
  });

  it('on shutdown cancels every job, removes every upload and refuses new uploads with SERVER_SHUTTING_DOWN', async () => {
    expect((await createKnowledgeBase(server, 'at-shutdown')).status).toBe(201);
    const upload = await stageFile('late.md', '# Late\n\nArrived at closing time.\n');
    const job = server.runtime.ingestJobs.submit({ tenantId: 'acme', kb: 'at-shutdown', ...upload });
    await server.runtime.ingestJobs.stop();
    expect(server.runtime.ingestJobs.get('acme', 'at-shutdown', job.id).status).toBe('cancelled');
    expect(readdirSync(path.join(server.runtime.dataDir, 'uploads'))).toEqual([]);
    await expect(server.runtime.ingestJobs.stage()).rejects.toSatisfy((error) => TrellisError.isInstance(error, 'SERVER_SHUTTING_DOWN'));
    const form = new FormData();
    form.append('file', new Blob(['# Too late\n\ntext\n']), 'too-late.md');
    const response = await server.request('/knowledge-bases/at-shutdown/documents', { method: 'POST', body: form });
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe('SERVER_SHUTTING_DOWN');
  });
});
