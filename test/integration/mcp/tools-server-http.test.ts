import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../helpers/api-server.js';
import { connectMcpClient } from '../../helpers/mcp/mcp-http-client.js';
import { repoRoot } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const importPath = (...parts: string[]) => JSON.stringify(path.join(repoRoot, ...parts));
const INSPECTOR = path.join(repoRoot, 'node_modules', '@modelcontextprotocol', 'inspector', 'cli', 'build', 'cli.js');
/** Where the slow test tool records that its signal was aborted (the tool runs in this process, in the server). */
const ABORTED = Symbol.for('trellis.test.wait_a_while.aborted');
const abortedCalls = () => ((globalThis as Record<symbol, unknown>)[ABORTED] as number | undefined) ?? 0;

describe('the tools MCP server over streamable HTTP (/mcp/tools)', () => {
  let server: ApiServer;
  let client: Client;
  const tools = makeTempDir('trellis-mcp-tools-');

  beforeAll(async () => {
    writeFileSync(path.join(tools.dir, 'wait-a-while.ts'), [
      `import { z } from ${importPath('node_modules', 'zod', 'index.js')};`,
      `import { defineTool } from ${importPath('tools', 'define-tool.ts')};`,
      `const ABORTED = Symbol.for('trellis.test.wait_a_while.aborted');`,
      'export default defineTool({',
      "  name: 'wait_a_while',",
      "  description: 'Waits, then says how long.',",
      "  schema: z.object({ ms: z.number().int().max(60000).describe('How long to wait') }),",
      '  execute: ({ ms }, { signal }) => new Promise((resolve, reject) => {',
      '    const timer = setTimeout(() => resolve({ waited: ms }), ms);',
      "    signal.addEventListener('abort', () => {",
      '      clearTimeout(timer);',
      '      (globalThis as Record<symbol, number>)[ABORTED] = ((globalThis as Record<symbol, number>)[ABORTED] ?? 0) + 1;',
      '      reject(signal.reason);',
      '    });',
      '  }),',
      '});',
    ].join('\n'));
    writeFileSync(path.join(tools.dir, 'wire-money.ts'), [
      `import { z } from ${importPath('node_modules', 'zod', 'index.js')};`,
      `import { defineTool } from ${importPath('tools', 'define-tool.ts')};`,
      "export default defineTool({ name: 'wire_money', description: 'Sends money.', schema: z.object({ amount: z.number() }), needsApproval: ({ amount }) => amount > 100, execute: () => 'sent' });",
    ].join('\n'));
    server = await startApiServer({ overrides: { tools: { dir: tools.dir } } });
    client = await connectMcpClient(`${server.url}/mcp/tools`, server.keys.chat);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    tools.remove();
  });

  it('lists the registry, leaving out tools that need approval', async () => {
    const { tools: listed } = await client.listTools();
    expect(listed.map((tool) => tool.name)).toEqual(['calculator', 'current_time', 'knowledge_search', 'wait_a_while']);
    expect(listed.find((tool) => tool.name === 'calculator')!.inputSchema).toMatchObject({
      type: 'object',
      properties: { expression: { type: 'string', description: expect.any(String) } },
    });
  });

  it('runs a tool as an agent would', async () => {
    const result = (await client.callTool({ name: 'calculator', arguments: { expression: '17% * 2340' } })) as CallToolResult;
    expect(result.structuredContent).toEqual({ expression: '17% * 2340', result: 397.8 });
  });

  it('reports progress while a long call runs', async () => {
    const progress: Progress[] = [];
    const result = (await client.callTool({ name: 'wait_a_while', arguments: { ms: 1300 } }, undefined, { onprogress: (update) => progress.push(update) })) as CallToolResult;
    expect(result.structuredContent).toEqual({ waited: 1300 });
    expect(progress.map((update) => update.progress)).toEqual([0, 1]);
    expect(progress[0]!.message).toBe('wait_a_while started');
    expect(progress[1]!.message).toMatch(/^wait_a_while still running after 1\.\d s$/);
  });

  it("aborts the tool's signal when the client cancels the call", async () => {
    const before = abortedCalls();
    const controller = new AbortController();
    const call = client.callTool({ name: 'wait_a_while', arguments: { ms: 30_000 } }, undefined, {
      signal: controller.signal,
      onprogress: () => controller.abort(new Error('changed my mind')),
    });
    await expect(call).rejects.toThrow('changed my mind');
    await expect.poll(abortedCalls).toBe(before + 1);
    expect((await client.listTools()).tools.length).toBe(4);
  });

  it("closes promptly while a client holds its session's notification stream open", async () => {
    const other = await startApiServer();
    const held = await connectMcpClient(`${other.url}/mcp/tools`, other.keys.chat);
    await held.listTools();
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(5000);
    await held.close();
  });

  describe('driven by the official MCP Inspector CLI', () => {
    const inspect = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [INSPECTOR, '--cli', `${server.url}/mcp/tools`, '--transport', 'http', '--header', `Authorization: Bearer ${server.keys.chat}`, ...args],
        { env: { ...process.env, MCP_INSPECTOR_SECRET_STORE: 'memory' }, timeout: 20_000 },
      );
      return JSON.parse(stdout) as Record<string, unknown>;
    };

    it('lists the tools', async () => {
      const listed = (await inspect('--method', 'tools/list')) as { tools: { name: string }[] };
      expect(listed.tools.map((tool) => tool.name)).toEqual(['calculator', 'current_time', 'knowledge_search', 'wait_a_while']);
    });

    it('calls a tool', async () => {
      const called = await inspect('--method', 'tools/call', '--tool-name', 'calculator', '--tool-arg', 'expression=6*7');
      expect(called).toEqual({ content: [{ type: 'text', text: expect.any(String) }], structuredContent: { expression: '6*7', result: 42 } });
    });
  });
});
