import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpServerChecks } from '../../../cli/commands/doctor.js';
import { loadConfig } from '../../../core/config.js';
import { startEchoHttpServer, type EchoHttpServer } from '../../helpers/mcp/echo-mcp-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

describe('trellis doctor on the configured MCP servers', () => {
  let echo: EchoHttpServer;
  const temp = makeTempDir('trellis-doctor-mcp-');
  beforeAll(async () => {
    echo = await startEchoHttpServer();
  });
  afterAll(async () => {
    await echo?.close();
    temp.remove();
  });

  it('reports each one: its tools, why it failed with a fix, or that it is off', async () => {
    const config = loadConfig({
      env: {},
      cwd: temp.dir,
      overrides: {
        mcpServers: {
          echo: { url: echo.url },
          missing: { command: '/nonexistent/mcp-server', args: ['--stdio'] },
          off: { url: echo.url, enabled: false },
        },
      },
    });
    const { checks, toolNames } = await mcpServerChecks(config);
    expect(checks).toEqual([
      { name: 'mcp server echo', state: 'ok', detail: 'http, 6 tools: echo_add, echo_echo, echo_fail, echo_pid, echo_exit, echo_slow' },
      {
        name: 'mcp server missing',
        state: 'warn',
        detail: expect.stringMatching(/^MCP_SERVER_UNAVAILABLE: MCP server missing \(\/nonexistent\/mcp-server --stdio\) did not start: .*ENOENT/),
        fix: expect.stringContaining('trellis doctor'),
      },
      { name: 'mcp server off', state: 'ok', detail: 'disabled (enabled: false)' },
    ]);
    expect(toolNames).toContain('echo_add');
  });
});
