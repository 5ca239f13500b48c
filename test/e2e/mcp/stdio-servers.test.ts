import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ErrorCode, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../../helpers/cli-process.js';
import { repoRoot } from '../../helpers/paths.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';

const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;

/** `trellis mcp serve <server> ...` as a desktop client starts it: the SDK's stdio client spawns the CLI. */
async function spawnTrellisMcp(dataDir: string, args: string[]): Promise<{ client: Client; transport: StdioClientTransport; errors: Error[] }> {
  const env = cleanEnv({
    TRELLIS_DATA_DIR: dataDir,
    TRELLIS_CACHE_DIR: path.join(dataDir, 'cache'),
    TRELLIS_STORES__VECTOR__PROVIDER: 'none',
    TRELLIS_MODELS__RERANKER__PROVIDER: 'none',
    TRELLIS_CHAT_PROVIDER: 'none',
  });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(repoRoot, 'bin', 'trellis.js'), 'mcp', 'serve', ...args],
    cwd: repoRoot,
    env: env as Record<string, string>,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'trellis-e2e', version: '1.0.0' });
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  return { client, transport, errors };
}

describe('trellis mcp serve over stdio', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;

  beforeAll(async () => {
    runtime = await createTestRuntime();
    const corpus = path.join(runtime.dataDir, 'corpus');
    mkdirSync(corpus);
    writeFileSync(path.join(corpus, 'reset.md'), '# Password reset\n\nTo reset your password, open Settings and choose Security, then Reset password.\n');
    await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'help', root: corpus });
    await runtime.stop();
  });
  afterAll(async () => runtime?.dispose());

  it('knowledge: lists tools, searches, reads a document, fills the prompt, and survives bad input', async () => {
    const { client, errors } = await spawnTrellisMcp(runtime.dataDir, ['knowledge', '--tenant', 'acme']);
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['search', 'list_knowledge_bases', 'get_document']);

      const search = (await client.callTool({ name: 'search', arguments: { kb: 'help', query: 'reset password' } })) as CallToolResult;
      expect(search.structuredContent).toMatchObject({
        kb: 'help',
        results: [{ n: 1, citation: { documentId: 'reset.md', uri: 'trellis://kb/help/doc/reset.md' } }],
      });

      const read = await client.readResource({ uri: 'trellis://kb/help/doc/reset.md' });
      expect(read.contents[0]).toMatchObject({ mimeType: 'text/plain', text: expect.stringContaining('choose Security') });

      const prompt = await client.getPrompt({ name: 'answer_with_citations', arguments: { question: 'How do I reset my password?', kb: 'help' } });
      expect((prompt.messages[0]!.content as { text: string }).text).toContain('[1] Password reset, reset.md');

      await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({
        code: ErrorCode.InvalidParams,
        message: expect.stringContaining('unknown tool no_such_tool'),
      });
      const invalid = (await client.callTool({ name: 'search', arguments: { kb: 'help' } })) as CallToolResult;
      expect(invalid.isError).toBe(true);
      expect(textOf(invalid)).toContain('- query:');
      await expect(client.callTool({ name: 'search', arguments: { kb: 'help', query: 'é'.repeat(40_000) } })).rejects.toMatchObject({
        data: { code: 'MCP_ARGUMENTS_TOO_LARGE' },
      });

      expect((await client.listTools()).tools).toHaveLength(3);
      expect(errors).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("tools: serves the registry for the --tenant given, which never sees another tenant's knowledge bases", async () => {
    const { client, transport } = await spawnTrellisMcp(runtime.dataDir, ['tools', '--tenant', 'globex']);
    const pid = transport.pid!;
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toEqual(['calculator', 'current_time', 'knowledge_search']);
      const search = (await client.callTool({ name: 'knowledge_search', arguments: { kb: 'help', query: 'password' } })) as CallToolResult;
      expect(search.isError).toBe(true);
      expect(textOf(search)).toMatch(/^Error KB_NOT_FOUND: /);
    } finally {
      await client.close();
    }
    // Closing stdin ends the server, and it stops everything it started.
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
