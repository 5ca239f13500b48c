import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, startCommand } from '../helpers/cli-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('trellis CLI', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    temp = makeTempDir();
  });
  afterAll(() => temp.remove());
  const env = (extra: Record<string, string> = {}) =>
    cleanEnv({ TRELLIS_PORT: '0', TRELLIS_DATA_DIR: `${temp.dir}/data`, TRELLIS_CACHE_DIR: `${temp.dir}/cache`, ...extra });

  it('doctor passes the required checks and says how to get the missing models', async () => {
    const doctor = startCommand('node', ['bin/trellis.js', 'doctor'], env());
    const { code } = await doctor.exited;
    const output = doctor.output();
    expect(code).toBe(0);
    for (const line of ['✔ node:', '✔ configuration: valid', '✔ data dir:', '✔ database:', '✔ native module better-sqlite3', '✔ native module onnxruntime-node', '✔ native module node-llama-cpp', '✔ tools and agents: 4 tools, 3 agents', '✔ port:']) {
      expect(output).toContain(line);
    }
    expect(output).toMatch(/! model bge-small-en-v1\.5: .*\n\s+fix: .*trellis models pull bge-small-en-v1\.5/);
    expect(output).toContain('All required checks passed.');
  });

  it('doctor fails on an invalid configuration and shows it as a check', async () => {
    const doctor = startCommand('node', ['bin/trellis.js', 'doctor'], env({ TRELLIS_LOG_LEVEL: 'loud' }));
    const { code } = await doctor.exited;
    expect(code).toBe(1);
    expect(doctor.output()).toMatch(/✖ configuration: invalid configuration:\n\s+logLevel = "loud" \(from TRELLIS_LOG_LEVEL\)/);
  });

  it('an unknown command is a usage error, not a crash', async () => {
    const cli = startCommand('node', ['bin/trellis.js', 'frobnicate'], env());
    const { code } = await cli.exited;
    expect(code).not.toBe(0);
    expect(cli.output()).toContain("unknown command 'frobnicate'");
  });
});
