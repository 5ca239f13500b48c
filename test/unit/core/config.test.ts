import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENV_ALIASES, loadConfig } from '../../../core/config.js';
import { repoRoot } from '../../helpers/paths.js';
import { TrellisError } from '../../../core/errors.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

function expectConfigError(run: () => unknown, code = 'CONFIG_INVALID'): TrellisError {
  try {
    run();
  } catch (error) {
    expect(TrellisError.isInstance(error, code as never)).toBe(true);
    return error as TrellisError;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.remove());

  it('uses the documented defaults with no file and no variables', () => {
    const config = loadConfig({ env: {}, cwd: temp.dir });
    expect(config.server).toEqual({ host: '127.0.0.1', port: 3700, shutdownGraceSeconds: 10, corsOrigins: [], runRetentionSeconds: 600, runRetentionCount: 2000 });
    expect(config.dataDir).toBe('./data');
    expect(config.models.chat.provider).toBe('auto');
    expect(config.models.embedding.model).toBe('bge-small-en-v1.5');
    expect(config.auth).toEqual({ enabled: true, rateLimitPerMinute: 600 });
  });

  describe('precedence', () => {
    it('explicit option > TRELLIS_* variable > config file > default', () => {
      writeFileSync(
        path.join(temp.dir, 'trellis.config.yaml'),
        'server:\n  host: 0.0.0.0\n  port: 4000\ndataDir: /srv/file\nlogLevel: debug\n',
      );
      const config = loadConfig({
        cwd: temp.dir,
        env: { TRELLIS_PORT: '5000', TRELLIS_DATA_DIR: '/srv/env' },
        overrides: { dataDir: '/srv/explicit' },
      });
      expect(config.dataDir).toBe('/srv/explicit');
      expect(config.server.port).toBe(5000);
      expect(config.server.host).toBe('0.0.0.0');
      expect(config.logLevel).toBe('debug');
      expect(config.server.shutdownGraceSeconds).toBe(10);
    });

    it('reads the file named by TRELLIS_CONFIG, JSON included', () => {
      const file = path.join(temp.dir, 'elsewhere.json');
      writeFileSync(file, JSON.stringify({ models: { chat: { provider: 'none' } } }));
      expect(loadConfig({ cwd: '/', env: { TRELLIS_CONFIG: file } }).models.chat.provider).toBe('none');
    });

    it('maps the everyday variables and the generic TRELLIS_SECTION__KEY form', () => {
      const config = loadConfig({
        cwd: temp.dir,
        env: {
          TRELLIS_HOST: '::1',
          TRELLIS_MODELS_DIR: '/models',
          TRELLIS_LIMITS__REQUEST_BODY_BYTES: '2048',
          TRELLIS_TRACING__LOCAL__ENABLED: 'false',
          TRELLIS_MODELS__CHAT__MAX_TOKENS: '64',
        },
      });
      expect(config.server.host).toBe('::1');
      expect(config.models.dir).toBe('/models');
      expect(config.limits.requestBodyBytes).toBe(2048);
      expect(config.tracing.local.enabled).toBe(false);
      expect(config.models.chat.maxTokens).toBe(64);
    });

    it('keeps string settings as strings even when they look like numbers', () => {
      const config = loadConfig({ cwd: temp.dir, env: { TRELLIS_CHAT_API_KEY: '12345', OPENAI_API_KEY: 'sk-1' } });
      expect(config.models.chat.apiKey).toBe('12345');
      expect(config.providers.openai.apiKey).toBe('sk-1');
    });

    it('lets TRELLIS_* win over provider variables', () => {
      const config = loadConfig({
        cwd: temp.dir,
        env: { LANGFUSE_BASE_URL: 'http://127.0.0.1:1', TRELLIS_TRACING__LANGFUSE__BASE_URL: 'http://127.0.0.1:2' },
      });
      expect(config.tracing.langfuse.baseUrl).toBe('http://127.0.0.1:2');
    });
  });

  it('documents every named variable in the README', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    for (const variable of Object.keys(ENV_ALIASES)) expect(readme).toContain(`| \`${variable}\` |`);
  });

  describe('errors', () => {
    it('names the key path, the bad value, where it came from and what is allowed', () => {
      const error = expectConfigError(() =>
        loadConfig({ cwd: temp.dir, env: { TRELLIS_PORT: '99999', TRELLIS_CHAT_PROVIDER: 'gpt' } }),
      );
      expect(error.message).toContain('server.port = 99999 (from TRELLIS_PORT)');
      expect(error.message).toMatch(/<=\s*65535/);
      expect(error.message).toContain('models.chat.provider = "gpt" (from TRELLIS_CHAT_PROVIDER)');
      expect(error.message).toContain('"openai-compatible"');
      expect(error.details.keys).toEqual(['server.port', 'models.chat.provider']);
      expect(error.hint).toBeTruthy();
    });

    it('rejects a misspelt key in the config file instead of ignoring it', () => {
      const file = path.join(temp.dir, 'trellis.config.json');
      writeFileSync(file, JSON.stringify({ server: { prot: 1 } }));
      const error = expectConfigError(() => loadConfig({ cwd: temp.dir, env: {} }));
      expect(error.message).toContain(`server.prot = 1 (from ${file}): unknown setting`);
    });

    it('rejects a number that is not a number', () => {
      const error = expectConfigError(() => loadConfig({ cwd: temp.dir, env: { TRELLIS_PORT: 'eighty' } }));
      expect(error.message).toContain('server.port = "eighty" (from TRELLIS_PORT)');
    });

    it('never prints a secret it rejects', () => {
      const error = expectConfigError(() =>
        loadConfig({ cwd: temp.dir, env: {}, overrides: { models: { chat: { apiKey: '' } } } }),
      );
      expect(error.message).toContain('models.chat.apiKey = "***"');
    });

    it('masks the password of a connection string it rejects', () => {
      const error = expectConfigError(() =>
        loadConfig({ cwd: temp.dir, env: { TRELLIS_POSTGRES_URL: 'mysql://app:hunter2@127.0.0.1/db' } }),
      );
      expect(error.message).toContain('mysql://app:***@127.0.0.1/db');
      expect(error.message).not.toContain('hunter2');
    });

    it('reports an unreadable config file with its path', () => {
      writeFileSync(path.join(temp.dir, 'trellis.config.json'), '{ not json');
      const error = expectConfigError(() => loadConfig({ cwd: temp.dir, env: {} }), 'CONFIG_FILE_UNREADABLE');
      expect(error.message).toContain('trellis.config.json');
    });

    it('reports a TRELLIS_CONFIG that does not exist', () => {
      expectConfigError(() => loadConfig({ cwd: temp.dir, env: { TRELLIS_CONFIG: 'missing.yaml' } }), 'CONFIG_FILE_UNREADABLE');
    });

    it('rejects a config file whose top level is not a mapping', () => {
      writeFileSync(path.join(temp.dir, 'trellis.config.yaml'), '- a\n- b\n');
      expectConfigError(() => loadConfig({ cwd: temp.dir, env: {} }), 'CONFIG_FILE_UNREADABLE');
    });
  });
});
