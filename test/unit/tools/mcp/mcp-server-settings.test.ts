import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../core/config.js';
import type { TrellisConfigOverrides } from '../../../../core/config.js';

const load = (mcpServers: TrellisConfigOverrides['mcpServers']) => loadConfig({ env: {}, cwd: '/nonexistent', overrides: { mcpServers } });

describe('the mcpServers setting', () => {
  it('takes the shape MCP clients share, with approval on by default', () => {
    const config = load({ files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] }, remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer x' } } });
    expect(config.mcpServers.files).toEqual({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: {}, headers: {}, requireApproval: 'always', enabled: true });
    expect(config.mcpServers.remote).toMatchObject({ url: 'https://mcp.example.com/mcp', args: [], requireApproval: 'always' });
    expect(load({}).mcpServers).toEqual({});
  });

  it.each([
    [{ both: { command: 'x', url: 'http://127.0.0.1/mcp' } }, 'set either command (stdio) or url'],
    [{ neither: { args: ['x'] } }, 'set either command (stdio) or url'],
    [{ mismatched: { type: 'stdio' as const, url: 'http://127.0.0.1/mcp' } }, 'type does not match'],
    [{ '1bad name': { command: 'x' } }, 'mcpServers.1bad name'],
    [{ policy: { command: 'x', requireApproval: 'sometimes' as never } }, 'requireApproval'],
  ])('refuses %j at start-up', (servers, message) => {
    expect(() => load(servers)).toThrow(message);
  });
});
