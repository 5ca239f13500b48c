import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, startCommand, type RunningCommand } from '../helpers/cli-process.js';
import { repoRoot } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const exec = promisify(execFile);

describe('API keys: secure by default, managed with `trellis keys`', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let server: RunningCommand;
  let url: string;
  const env = () =>
    cleanEnv({ TRELLIS_PORT: '0', TRELLIS_DATA_DIR: temp.dir, TRELLIS_CACHE_DIR: `${temp.dir}/cache`, TRELLIS_STORES__VECTOR__PROVIDER: 'none' });
  const trellis = (...args: string[]) => exec('node', ['bin/trellis.js', ...args], { cwd: repoRoot, env: env() });
  const serve = async () => {
    const started = startCommand('node', ['bin/trellis.js', 'serve'], env());
    const [, address] = await started.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
    await started.waitFor(/Press Ctrl-C to stop/, 5_000);
    return { started, address: address! };
  };
  const stop = async (running: RunningCommand) => {
    process.kill(-running.child.pid!, 'SIGTERM');
    await running.exited;
  };
  const get = (pathname: string, key?: string) => fetch(`${url}${pathname}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  beforeAll(async () => {
    temp = makeTempDir();
    ({ started: server, address: url } = await serve());
  });
  afterAll(async () => {
    await stop(server);
    temp.remove();
  });

  it('creates an admin key at first start, prints it once and keeps a copy only its owner can read', async () => {
    const [, printed] = server.output().match(/^\s+(trl_\S+)$/m) ?? [];
    expect(printed).toBeDefined();
    const file = path.join(temp.dir, 'admin-key');
    expect(server.output()).toContain(file);
    expect(readFileSync(file, 'utf8').trim()).toBe(printed);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await get('/keys')).status).toBe(401);
    expect((await get('/keys', printed)).status).toBe(200);
    // The database holds only hashes: the key's text is nowhere in it.
    expect(readFileSync(path.join(temp.dir, 'trellis.db')).includes(Buffer.from(printed!.slice(17)))).toBe(false);
  });

  it('creates a key for a tenant with scopes (the key alone on the last line), lists it, revokes it at once', async () => {
    const created = await trellis('keys', 'create', '--tenant', 'acme', '--scopes', 'chat,ingest', '--name', 'ci');
    const key = created.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^trl_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    // The running server accepts the key made by another process, with exactly its scopes.
    expect((await get('/v1/models', key)).status).toBe(200);
    expect(await (await get('/keys', key)).json()).toMatchObject({ error: { code: 'AUTH_SCOPE_MISSING' } });

    const listed = await trellis('keys', 'list', '--tenant', 'acme');
    const keyId = key.slice(4, 16);
    expect(listed.stdout).toContain(`${keyId}\tacme\tchat,ingest\t${key.slice(0, 12)}…`);
    expect(listed.stdout).not.toContain(key);

    await trellis('keys', 'revoke', keyId);
    expect(await (await get('/v1/models', key)).json()).toMatchObject({ error: { code: 'AUTH_INVALID' } });
    expect((await trellis('keys', 'list')).stdout).toMatch(new RegExp(`${keyId}\\tacme.*revoked`));
  });

  it('refuses unknown scopes and unknown key ids with a code, exiting non-zero', async () => {
    await expect(trellis('keys', 'create', '--tenant', 'acme', '--scopes', 'root')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('API_BODY_INVALID'),
    });
    await expect(trellis('keys', 'revoke', 'nosuchkey000')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('API_KEY_NOT_FOUND') });
  });

  it('creates no second admin key on the next start', async () => {
    await stop(server);
    ({ started: server, address: url } = await serve());
    expect(server.output()).not.toMatch(/trl_/);
    expect(server.output()).toContain('auth: API keys');
  });
});
