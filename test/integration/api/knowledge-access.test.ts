import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { createKnowledgeBase, ingest, upload, uploadForm } from './knowledge-client.js';

const FILE = { name: 'secret.md', content: '# Acme secrets\n\nThe vault code is hidden behind the painting.\n' };

describe('knowledge base access: tenants and scopes', () => {
  let server: ApiServer;
  let jobId: string;
  beforeAll(async () => {
    server = await startApiServer();
    expect((await createKnowledgeBase(server, 'private')).status).toBe(201);
    jobId = (await ingest(server, 'private', [FILE])).accepted.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Every route of a knowledge base, with a body where it takes one. */
  const routesOf = (kb: string) => [
    { method: 'GET', url: `/knowledge-bases/${kb}` },
    { method: 'GET', url: `/knowledge-bases/${kb}/documents` },
    { method: 'GET', url: `/knowledge-bases/${kb}/documents/secret.md` },
    { method: 'DELETE', url: `/knowledge-bases/${kb}/documents/secret.md` },
    { method: 'POST', url: `/knowledge-bases/${kb}/documents`, body: () => uploadForm([FILE]) },
    { method: 'GET', url: `/knowledge-bases/${kb}/ingest-jobs/${jobId}` },
    { method: 'GET', url: `/knowledge-bases/${kb}/ingest-jobs/${jobId}/events` },
    { method: 'POST', url: `/knowledge-bases/${kb}/search`, json: { query: 'vault code' } },
    { method: 'DELETE', url: `/knowledge-bases/${kb}` },
  ];

  it("answers 404 KB_NOT_FOUND to another tenant's key on every route, and changes nothing", async () => {
    for (const route of routesOf('private')) {
      const response = await server.request(route.url, { method: route.method, key: server.keys.otherTenant, json: route.json, body: route.body?.() });
      const body = await response.text();
      expect(response.status, `${route.method} ${route.url}`).toBe(404);
      expect(JSON.parse(body).error.code).toBe('KB_NOT_FOUND');
      expect(body).not.toContain('vault');
    }
    const list = await server.request('/knowledge-bases', { key: server.keys.otherTenant });
    expect((await list.json()).data).toEqual([]);
    const own = await (await server.request('/knowledge-bases/private/documents')).json();
    expect(own.data.map((document: { id: string }) => document.id)).toEqual(['secret.md']);
  });

  it('lets another tenant use the same name for a knowledge base of its own, kept apart', async () => {
    expect((await createKnowledgeBase(server, 'private', server.keys.otherTenant)).status).toBe(201);
    const search = await server.request('/knowledge-bases/private/search', { method: 'POST', json: { query: 'vault code' }, key: server.keys.otherTenant });
    expect(search.status).toBe(200);
    expect((await search.json()).hits).toEqual([]);
    const job = await server.request(`/knowledge-bases/private/ingest-jobs/${jobId}`, { key: server.keys.otherTenant });
    expect(job.status).toBe(404);
    expect((await job.json()).error.code).toBe('INGEST_JOB_NOT_FOUND');
  });

  it('answers 404 KB_NOT_FOUND for an unknown knowledge base on every route', async () => {
    for (const route of routesOf('no-such-kb')) {
      const response = await server.request(route.url, { method: route.method, json: route.json, body: route.body?.() });
      expect(response.status, `${route.method} ${route.url}`).toBe(404);
      expect((await response.json()).error.code).toBe('KB_NOT_FOUND');
    }
  });

  it('refuses writes to a chat-only key with 403 AUTH_SCOPE_MISSING, and lets it read and search', async () => {
    const writes = [
      () => upload(server, 'private', [FILE], server.keys.chat),
      () => server.request('/knowledge-bases', { method: 'POST', json: { name: 'by-chat' }, key: server.keys.chat }),
      () => server.request('/knowledge-bases/private/documents/secret.md', { method: 'DELETE', key: server.keys.chat }),
      () => server.request('/knowledge-bases/private', { method: 'DELETE', key: server.keys.chat }),
    ];
    for (const write of writes) {
      const response = await write();
      expect(response.status).toBe(403);
      expect((await response.json()).error.code).toBe('AUTH_SCOPE_MISSING');
    }
    const search = await server.request('/knowledge-bases/private/search', { method: 'POST', json: { query: 'vault code' }, key: server.keys.chat });
    expect((await search.json()).hits[0].citation.source).toBe('secret.md');
    expect((await server.request('/knowledge-bases/private/documents', { key: server.keys.chat })).status).toBe(200);
  });

  it('lets an ingest-only key upload and follow its job, but not search', async () => {
    const accepted = await upload(server, 'private', [FILE], server.keys.ingest);
    expect(accepted.status).toBe(202);
    const job = await server.request(`/knowledge-bases/private/ingest-jobs/${(await accepted.json()).id}`, { key: server.keys.ingest });
    expect(job.status).toBe(200);
    const search = await server.request('/knowledge-bases/private/search', { method: 'POST', json: { query: 'vault' }, key: server.keys.ingest });
    expect(search.status).toBe(403);
    expect((await search.json()).error.code).toBe('AUTH_SCOPE_MISSING');
  });

  it('answers 401 without a key', async () => {
    const response = await fetch(`${server.url}/knowledge-bases/private/documents`, { method: 'POST', body: uploadForm([FILE]) });
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('AUTH_REQUIRED');
  });
});
