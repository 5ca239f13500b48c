import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ToolMessage } from '@langchain/core/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptedChatModel } from '../../../core/models/scripted-chat-model.js';
import { executeTool } from '../../../tools/execute-tool.js';
import { startEchoHttpServer, type EchoHttpServer } from '../../helpers/mcp/echo-mcp-server.js';
import { repoRoot } from '../../helpers/paths.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';
import { testLimits, toolContext } from '../../helpers/tool-context.js';

const importPath = (...parts: string[]) => JSON.stringify(path.join(repoRoot, ...parts));

describe('external MCP servers mounted into the tool registry', () => {
  let echo: EchoHttpServer;
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  const temp = makeTempDir('trellis-mcp-client-');

  beforeAll(async () => {
    echo = await startEchoHttpServer();
    writeFileSync(path.join(temp.dir, 'adder.ts'), [
      `import { defineAgent } from ${importPath('agents', 'define-agent.ts')};`,
      'export default defineAgent({',
      "  name: 'adder',",
      "  description: 'Adds numbers with the echo server.',",
      "  instructions: 'Add numbers with echo_add.',",
      "  tools: ['echo_add'],",
      '});',
    ].join('\n'));
    writeFileSync(path.join(temp.dir, 'careful-adder.ts'), [
      `import { defineAgent } from ${importPath('agents', 'define-agent.ts')};`,
      'export default defineAgent({',
      "  name: 'careful-adder',",
      "  description: 'Adds numbers with a server whose tools need approval.',",
      "  instructions: 'Add numbers with strict_add.',",
      "  tools: ['strict_add'],",
      '});',
    ].join('\n'));
    writeFileSync(path.join(temp.dir, 'script.json'), JSON.stringify([
      { match: 'carefully', toolCalls: [{ name: 'strict_add', args: { a: 20, b: 22 }, id: 'call_strict' }] },
      { match: '^42$', text: 'It is 42.' },
      { toolCalls: [{ name: 'echo_add', args: { a: 2, b: 3 }, id: 'call_add' }] },
      { text: 'It is 5.' },
    ]));
    runtime = await createTestRuntime({
      models: { chat: { provider: 'scripted', scriptPath: path.join(temp.dir, 'script.json') } },
      agents: { dir: temp.dir },
      mcpServers: {
        echo: { url: echo.url, headers: { Authorization: 'Bearer echo-token' }, requireApproval: 'never' },
        gated: { url: echo.url, requireApproval: ['echo'] },
        strict: { url: echo.url },
        hasty: { url: echo.url, timeoutMs: 1000, requireApproval: 'never' },
        broken: { command: process.execPath, args: ['-e', 'console.error("no config found"); process.exit(7)'], timeoutMs: 5000 },
        off: { command: 'never-started', enabled: false },
      },
    });
  });
  afterAll(async () => {
    await runtime?.dispose();
    await echo?.close();
    temp.remove();
  });

  it('mounts every tool of a server as <server>_<tool>, beside the built-ins, sending its headers', () => {
    const names = runtime.tools.list().map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['calculator', 'echo_add', 'echo_echo', 'echo_fail', 'echo_slow', 'gated_add', 'hasty_slow']));
    expect(runtime.mcpServers.find((server) => server.name === 'echo')).toEqual({
      name: 'echo',
      transport: 'http',
      state: 'mounted',
      tools: ['echo_add', 'echo_echo', 'echo_fail', 'echo_pid', 'echo_exit', 'echo_slow'],
      warnings: [],
    });
    expect(runtime.tools.get('echo_add').description).toBe('Adds two numbers. (tool add of the MCP server echo)');
    expect(echo.authorizations).toContain('Bearer echo-token');
  });

  it('reports a server that does not start, with its stderr, and runs on without it', async () => {
    const broken = runtime.mcpServers.find((server) => server.name === 'broken')!;
    expect(broken).toMatchObject({ state: 'failed', tools: [], error: { code: 'MCP_SERVER_UNAVAILABLE' } });
    expect(broken.error!.message).toContain('no config found');
    expect(runtime.mcpServers.find((server) => server.name === 'off')).toMatchObject({ state: 'disabled', tools: [] });
    const check = (await runtime.readiness()).find((entry) => entry.name === 'mcp servers');
    expect(check).toMatchObject({ state: 'degraded', hint: expect.stringContaining('broken') });
  });

  it('asks for approval as each server says: never, for the tools named, or always (the default)', () => {
    const approval = (name: string) => runtime.tools.get(name).needsApproval;
    expect([approval('echo_add'), approval('gated_add'), approval('gated_echo'), approval('strict_add')]).toEqual([false, false, true, true]);
  });

  it('lets an agent in the react graph call the external tool, traced like any other tool call', async () => {
    const run = await runtime.runManager.start('acme', { target: 'adder', message: 'What is 2 + 3?' }).done;
    expect(run.status).toBe('completed');
    const chat = runtime.models.chat;
    const model = chat.mode === 'model' ? (chat.model as ScriptedChatModel) : undefined;
    expect(model!.calls[0]!.tools.map((tool) => tool.function.name)).toEqual(['echo_add']);
    const toolMessage = model!.calls[1]!.messages.find((message) => message instanceof ToolMessage);
    expect(toolMessage?.content).toBe('5');
    await runtime.tracing.flush();
    const spans = runtime.db.prepare('SELECT span_id, parent_span_id, name, kind, status FROM trace_spans WHERE run_id = ?').all(run.id) as {
      span_id: string; parent_span_id: string | null; name: string; kind: string; status: string;
    }[];
    const call = spans.find((span) => span.name === 'tool echo_add');
    expect(call).toMatchObject({ kind: 'tool', status: 'ok' });
    expect(spans.find((span) => span.span_id === call!.parent_span_id)?.name).toBe('node tools');
  });

  it('pauses a run for approval before calling a tool that needs it, and calls it once approved', async () => {
    const calls = echo.log.calls.length;
    const paused = await runtime.runManager.start('acme', { target: 'careful-adder', message: 'Add 20 and 22 carefully.' }).done;
    expect(paused.status).toBe('interrupted');
    expect(echo.log.calls.length).toBe(calls);
    const resumed = await runtime.runManager.start('acme', { target: 'careful-adder', threadId: paused.threadId, resume: { action: 'approve' } }).done;
    expect(resumed.status).toBe('completed');
    expect(echo.log.calls.slice(calls)).toEqual(['add']);
  });

  it('validates arguments in the registry, so the server never sees an invalid call', async () => {
    const before = echo.log.calls.length;
    const result = await executeTool(runtime.tools.get('echo_add'), { a: 'two' }, toolContext(), testLimits);
    expect(result).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID', issues: [{ path: 'a' }, { path: 'b' }] } });
    const tooLong = await executeTool(runtime.tools.get('echo_echo'), { text: 'x'.repeat(101) }, toolContext(), testLimits);
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'TOOL_INPUT_INVALID', issues: [{ path: 'text' }] } });
    expect(echo.log.calls.length).toBe(before);
  });

  it("turns a result the server marks isError into TOOL_FAILED with the server's words", async () => {
    const result = await executeTool(runtime.tools.get('echo_fail'), {}, toolContext(), testLimits);
    expect(result).toEqual({
      ok: false,
      error: { code: 'TOOL_FAILED', message: 'fail on MCP server echo failed: the echo server refuses on purpose', hint: expect.any(String) },
    });
  });

  it('opens a new session when the HTTP server forgot the old one, and the call goes through', async () => {
    const opened = echo.sessionsOpened();
    echo.forgetSessions();
    const result = await executeTool(runtime.tools.get('echo_add'), { a: 1, b: 1 }, toolContext(), testLimits);
    expect(result).toEqual({ ok: true, output: '2' });
    expect(echo.sessionsOpened()).toBe(opened + 1);
  });

  it("stops waiting at the server's timeout and cancels the call on the server", async () => {
    const tool = runtime.tools.get('hasty_slow');
    expect(tool.timeoutMs).toBe(1000);
    const result = await executeTool(tool, { ms: 10_000 }, toolContext(), testLimits);
    expect(result).toMatchObject({ ok: false, error: { code: 'TOOL_TIMEOUT' } });
    await expect.poll(() => echo.log.cancelled).toContain('slow');
  });
});
