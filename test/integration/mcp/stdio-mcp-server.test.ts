import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeTool } from '../../../tools/execute-tool.js';
import { repoRoot } from '../../helpers/paths.js';
import { createTestRuntime } from '../../helpers/test-runtime.js';
import { testLimits, toolContext } from '../../helpers/tool-context.js';

const ECHO_SERVER = path.join(repoRoot, 'test', 'helpers', 'mcp', 'echo-mcp-server.ts');

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('an external MCP server started over stdio', () => {
  let runtime: Awaited<ReturnType<typeof createTestRuntime>>;
  const call = async (name: string) => executeTool(runtime.tools.get(name), {}, toolContext(), testLimits);

  beforeAll(async () => {
    runtime = await createTestRuntime({
      mcpServers: { local: { command: process.execPath, args: ['--import', 'tsx', ECHO_SERVER], cwd: repoRoot, requireApproval: 'never' } },
    });
  });
  afterAll(async () => {
    await runtime?.dispose();
  });

  it('is started again by the next call after it died, and stopped with the runtime', async () => {
    const first = await call('local_pid');
    expect(first.ok).toBe(true);
    const firstPid = Number((first as { output: string }).output);
    expect(isAlive(firstPid)).toBe(true);

    // The process exits mid-call: the call fails, and is not repeated behind the caller's back.
    expect(await call('local_exit')).toMatchObject({ ok: false, error: { code: 'MCP_SERVER_UNAVAILABLE' } });

    const second = await call('local_pid');
    const secondPid = Number((second as { output: string }).output);
    expect(secondPid).not.toBe(firstPid);
    expect(isAlive(firstPid)).toBe(false);

    await runtime.stop();
    await expect.poll(() => isAlive(secondPid)).toBe(false);
  });
});
