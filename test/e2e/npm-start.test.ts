import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCommand, cleanEnv } from '../helpers/cli-process.js';
import { processesInGroup, processesMentioning } from '../helpers/processes.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('npm start', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    temp = makeTempDir();
  });
  afterAll(() => temp.remove());

  const env = () =>
    cleanEnv({ TRELLIS_PORT: '0', TRELLIS_DATA_DIR: temp.dir, TRELLIS_CACHE_DIR: `${temp.dir}/cache`, CI: 'true' });

  it('serves /healthz and /readyz, then Ctrl-C stops it with nothing left behind', async () => {
    const started = Date.now();
    const server = startCommand('npm', ['start'], env());
    const [, url] = await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
    const health = await fetch(`${url}/healthz`);
    const secondsToHealthy = (Date.now() - started) / 1000;
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'degraded' });
    expect(server.output()).toContain('retrieval-only mode');
    // Informational: bench/startup.ts measures this properly; the log keeps a trace of it in CI output.
    console.info(`npm start → /healthz in ${secondsToHealthy.toFixed(2)} s`);

    // The Chroma sidecar runs in a process group of its own; it must be up, and gone after Ctrl-C too.
    await expect.poll(async () => (await (await fetch(`${url}/readyz`)).json()).checks.at(-1).state, { timeout: 20_000 }).toBe('ok');
    expect(processesMentioning(temp.dir).length).toBeGreaterThan(0);
    const groupId = server.child.pid!;
    expect(processesInGroup(groupId).length).toBeGreaterThan(0);
    process.kill(-groupId, 'SIGINT');
    const { code, signal } = await server.exited;
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(processesInGroup(groupId)).toEqual([]);
    expect(processesMentioning(temp.dir)).toEqual([]);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('refuses a port in use with SERVER_PORT_IN_USE and a hint, exiting non-zero', async () => {
    const first = startCommand('node', ['bin/trellis.js', 'serve'], env());
    const [, url] = await first.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
    const port = new URL(url!).port;
    const second = startCommand('node', ['bin/trellis.js', 'serve', '--port', port], env());
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.output()).toMatch(/error SERVER_PORT_IN_USE: port \d+ on 127\.0\.0\.1 is already in use/);
    expect(second.output()).toContain('hint: Set TRELLIS_PORT');
    process.kill(-first.child.pid!, 'SIGTERM');
    expect((await first.exited).code).toBe(0);
  });

  it('fails fast on a bad setting, naming the variable', async () => {
    const bad = startCommand('node', ['bin/trellis.js', 'serve'], { ...env(), TRELLIS_PORT: '70000' });
    const { code } = await bad.exited;
    expect(code).toBe(1);
    expect(bad.output()).toContain('error CONFIG_INVALID');
    expect(bad.output()).toContain('server.port = 70000 (from TRELLIS_PORT)');
  });
});
