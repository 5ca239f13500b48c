import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createModelsCommand } from '../../../cli/commands/models.js';
import { ASSET_CATALOGUE } from '../../../core/assets/catalogue.js';
import { closedPortUrl } from '../core/assets/fixtures.js';

describe('trellis models', () => {
  let cacheDir: string;
  let stdout: string;
  let stderr: string;

  beforeEach(async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'trellis-models-cli-'));
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    await rm(cacheDir, { recursive: true, force: true });
  });

  async function run(mirror: string, ...args: string[]): Promise<void> {
    const command = createModelsCommand(async () => ({ cacheDir, mirror })).exitOverride();
    await command.parseAsync(args, { from: 'user' });
  }

  it('list shows every catalogue model, where it is found and the defaults', async () => {
    await run('http://127.0.0.1:1', 'list');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+KIND\s+SIZE\s+LOCATION\s+DEFAULT$/);
    for (const entry of ASSET_CATALOGUE) {
      expect(lines.find((line) => line.startsWith(`${entry.name} `))).toMatch(/missing/);
    }
    expect(process.exitCode).toBeUndefined();
  });

  it('pull prints the code and the hint and exits non-zero when the mirror is unreachable', async () => {
    await run(await closedPortUrl(), 'pull', 'ms-marco-minilm-l6-v2');
    expect(stderr).toMatch(/^error MODEL_UNAVAILABLE: .*\nhint: .*`trellis models pull ms-marco-minilm-l6-v2`/);
    expect(process.exitCode).toBe(1);
  });

  it('pull rejects an unknown name before downloading anything', async () => {
    await run('http://127.0.0.1:1', 'pull', 'gpt-9');
    expect(stderr).toMatch(/^error ASSET_UNKNOWN: .*bge-small-en-v1\.5/);
    expect(process.exitCode).toBe(1);
  });

  it('verify without names passes when nothing is installed', async () => {
    await run('http://127.0.0.1:1', 'verify');
    expect(stdout).toContain('bge-small-en-v1.5: not installed');
    expect(process.exitCode).toBeUndefined();
  });
});
