import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { connectMcpClient } from '../../helpers/mcp/mcp-http-client.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;

describe('the knowledge MCP server over streamable HTTP (/mcp/knowledge)', () => {
  let server: ApiServer;
  let client: Client;
  const corpus = makeTempDir('trellis-mcp-kb-');

  beforeAll(async () => {
    server = await startApiServer();
    mkdirSync(path.join(corpus.dir, 'acme', 'guides'), { recursive: true });
    mkdirSync(path.join(corpus.dir, 'globex'));
    writeFileSync(path.join(corpus.dir, 'acme', 'guides', 'reset.md'), '# Password reset\n\nTo reset your password, open Settings and choose Security, then Reset password.\n');
    writeFileSync(path.join(corpus.dir, 'acme', 'billing.md'), '# Billing\n\nInvoices are sent on the first day of every month by email.\n');
    writeFileSync(path.join(corpus.dir, 'globex', 'plans.md'), '# Secret plans\n\nThe password of the vault is swordfish.\n');
    await server.runtime.knowledge.ingest({ tenantId: 'acme', kb: 'help', root: path.join(corpus.dir, 'acme') });
    await server.runtime.knowledge.ingest({ tenantId: 'globex', kb: 'vault', root: path.join(corpus.dir, 'globex') });
    client = await connectMcpClient(`${server.url}/mcp/knowledge`, server.keys.chat);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    corpus.remove();
  });

  it('lists its tools with their JSON Schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['search', 'list_knowledge_bases', 'get_document']);
    const search = tools.find((tool) => tool.name === 'search')!;
    expect(search.inputSchema).toMatchObject({ type: 'object', required: ['kb', 'query'], properties: { k: { type: 'integer', maximum: 50 } } });
  });

  it('searches with citations that name each passage and its document resource', async () => {
    const result = (await client.callTool({ name: 'search', arguments: { kb: 'help', query: 'reset password', mode: 'keyword', k: 3 } })) as CallToolResult;
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toMatchObject({
      kb: 'help',
      mode: 'keyword',
      results: [
        {
          n: 1,
          text: expect.stringContaining('open Settings'),
          citation: { kb: 'help', documentId: 'guides/reset.md', title: 'Password reset', start: 0, uri: 'trellis://kb/help/doc/guides%2Freset.md' },
        },
      ],
    });
    expect(JSON.parse(textOf(result))).toEqual(result.structuredContent);
    const filtered = (await client.callTool({ name: 'search', arguments: { kb: 'help', query: 'password invoices', mode: 'keyword', filters: { source: 'billing.md' } } })) as CallToolResult;
    expect((filtered.structuredContent as { results: { citation: { documentId: string } }[] }).results.map((hit) => hit.citation.documentId)).toEqual(['billing.md']);
  });

  it('lists and reads documents as resources', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri).sort()).toEqual(['trellis://kb/help/doc/billing.md', 'trellis://kb/help/doc/guides%2Freset.md']);
    const read = await client.readResource({ uri: 'trellis://kb/help/doc/guides%2Freset.md' });
    expect(read.contents).toEqual([{ uri: 'trellis://kb/help/doc/guides%2Freset.md', mimeType: 'text/plain', text: expect.stringContaining('choose Security') }]);
  });

  it('answers a missing document with a resource-not-found error naming it', async () => {
    const error = await client.readResource({ uri: 'trellis://kb/help/doc/missing.md' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(McpError);
    expect(error).toMatchObject({ code: -32002, message: expect.stringContaining('document missing.md not found'), data: { code: 'DOCUMENT_NOT_FOUND' } });
  });

  it('fills the answer_with_citations prompt with numbered passages from the search', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(['answer_with_citations']);
    const prompt = await client.getPrompt({ name: 'answer_with_citations', arguments: { question: 'When are invoices sent?', kb: 'help' } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toContain('Question: When are invoices sent?');
    expect(text).toMatch(/\[1\] Billing, billing\.md\n# Billing\n\nInvoices are sent on the first day/);
    const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'answer_with_citations' }, argument: { name: 'kb', value: 'he' } });
    expect(completion.completion.values).toEqual(['help']);
  });

  describe('tenants', () => {
    let other: Client;
    beforeAll(async () => {
      other = await connectMcpClient(`${server.url}/mcp/knowledge`, server.keys.otherTenant);
    });
    afterAll(async () => other?.close());

    it("shows each key only its own tenant's knowledge bases and documents", async () => {
      const acme = (await client.callTool({ name: 'list_knowledge_bases', arguments: {} })) as CallToolResult;
      expect(acme.structuredContent).toEqual({ knowledgeBases: [{ name: 'help', description: '', documents: 2, chunks: 2 }] });
      const globex = (await other.callTool({ name: 'list_knowledge_bases', arguments: {} })) as CallToolResult;
      expect(globex.structuredContent).toEqual({ knowledgeBases: [{ name: 'vault', description: '', documents: 1, chunks: 1 }] });
      expect((await other.listResources()).resources.map((resource) => resource.uri)).toEqual(['trellis://kb/vault/doc/plans.md']);
    });

    it("answers another tenant's knowledge base as not found, through every door", async () => {
      const search = (await client.callTool({ name: 'search', arguments: { kb: 'vault', query: 'password' } })) as CallToolResult;
      expect(search.isError).toBe(true);
      expect(textOf(search)).toMatch(/^Error KB_NOT_FOUND: /);
      const document = (await client.callTool({ name: 'get_document', arguments: { kb: 'vault', documentId: 'plans.md' } })) as CallToolResult;
      expect(textOf(document)).toMatch(/^Error KB_NOT_FOUND: /);
      await expect(client.readResource({ uri: 'trellis://kb/vault/doc/plans.md' })).rejects.toMatchObject({ data: { code: 'KB_NOT_FOUND' } });
      await expect(client.getPrompt({ name: 'answer_with_citations', arguments: { question: 'vault password?', kb: 'vault' } })).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
        data: { code: 'KB_NOT_FOUND' },
      });
    });

    it("refuses one key's session id presented with another key", async () => {
      const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
      const response = await fetch(`${server.url}/mcp/knowledge`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.keys.otherTenant}`,
          'mcp-session-id': sessionId,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_knowledge_bases', arguments: {} } }),
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'MCP_SESSION_NOT_FOUND', message: expect.stringContaining(sessionId), hint: expect.any(String) } });
    });
  });

  describe('authentication', () => {
    it('answers a wrong key with 401, before any MCP session exists', async () => {
      const error = await connectMcpClient(`${server.url}/mcp/knowledge`, 'trellis_not_a_real_key').catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 401 });
      const response = await fetch(`${server.url}/mcp/knowledge`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
    });

    it('needs the chat scope', async () => {
      const error = await connectMcpClient(`${server.url}/mcp/knowledge`, server.keys.ingest).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 403 });
    });
  });

  describe('bad input', () => {
    it('answers an unknown tool with a protocol error listing the tools', async () => {
      await expect(client.callTool({ name: 'delete_everything', arguments: {} })).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
        message: expect.stringContaining('unknown tool delete_everything; this server has: search, list_knowledge_bases, get_document'),
      });
    });

    it('returns schema-invalid arguments as a tool error naming each field', async () => {
      const result = (await client.callTool({ name: 'search', arguments: { kb: 'help', query: '', k: 500, extra: true } })) as CallToolResult;
      expect(result.isError).toBe(true);
      const lines = textOf(result).split('\n');
      expect(lines[0]).toMatch(/^Error TOOL_INPUT_INVALID: invalid arguments for search/);
      expect(lines.slice(1).filter((line) => line.startsWith('- ')).map((line) => line.split(':')[0])).toEqual(['- query', '- k', '- (input)']);
    });

    it('refuses oversized arguments with the limit, and stays up', async () => {
      await expect(client.callTool({ name: 'search', arguments: { kb: 'help', query: 'x'.repeat(100_000) } })).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
        message: expect.stringMatching(/the arguments of search are \d+ bytes of JSON; at most 65536 are accepted/),
        data: { code: 'MCP_ARGUMENTS_TOO_LARGE' },
      });
      const result = (await client.callTool({ name: 'list_knowledge_bases', arguments: {} })) as CallToolResult;
      expect(result.isError).toBeUndefined();
    });

    it('answers a body over the request limit with 413 before MCP sees it, and stays up', async () => {
      const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
      const response = await server.request('/mcp/knowledge', {
        method: 'POST',
        key: server.keys.chat,
        headers: { 'mcp-session-id': sessionId, accept: 'application/json, text/event-stream' },
        json: { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'search', arguments: { kb: 'help', query: 'x'.repeat(2_000_000) } } },
      });
      expect(response.status).toBe(413);
      expect((await client.listTools()).tools).toHaveLength(3);
    });
  });

  it('ends a session on DELETE: its id then answers 404', async () => {
    const session = await connectMcpClient(`${server.url}/mcp/knowledge`, server.keys.chat);
    const transport = session.transport as StreamableHTTPClientTransport;
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    const response = await server.request('/mcp/knowledge', {
      method: 'POST',
      key: server.keys.chat,
      headers: { 'mcp-session-id': sessionId, accept: 'application/json, text/event-stream' },
      json: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    });
    expect(response.status).toBe(404);
    await session.close();
  });
});
