import { accessSync, constants, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Command } from 'commander';
import { findAsset, defaultAsset } from '../../core/assets/catalogue.js';
import { resolveAsset } from '../../core/assets/resolve.js';
import { loadConfig, type TrellisConfig } from '../../core/config.js';
import { openDatabase } from '../../core/db.js';
import { TrellisError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { runtimeMigrations } from '../../runtime/migrations.js';

/** The outcome of one check, printed as one line with a fix when it is not ok. */
export interface DoctorCheck {
  readonly name: string;
  readonly state: 'ok' | 'warn' | 'fail';
  readonly detail: string;
  readonly fix?: string;
}

const MINIMUM_NODE = [20, 19] as const;

/** `trellis doctor`: checks the installation and says how to fix each problem; exits 1 when one fails. */
export function createDoctorCommand(): Command {
  return new Command('doctor').description('check Node, data dir, database, native modules, model files and ports').action(async () => {
    const checks = await runDoctor();
    const marks = { ok: '✔', warn: '!', fail: '✖' } as const;
    for (const check of checks) {
      process.stdout.write(`${marks[check.state]} ${check.name}: ${check.detail}\n`);
      if (check.fix) process.stdout.write(`    fix: ${check.fix}\n`);
    }
    const failed = checks.filter((check) => check.state === 'fail').length;
    process.stdout.write(failed ? `\n${failed} check(s) failed.\n` : '\nAll required checks passed.\n');
    if (failed) process.exitCode = 1;
  });
}

/** Runs every check; a configuration error is itself reported as a failed check, not thrown. */
export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<readonly DoctorCheck[]> {
  const checks: DoctorCheck[] = [nodeCheck()];
  let config: TrellisConfig;
  try {
    config = loadConfig({ env });
    checks.push({ name: 'configuration', state: 'ok', detail: 'valid' });
  } catch (error) {
    const failure = TrellisError.isInstance(error) ? error : new TrellisError('CONFIG_INVALID', String(error));
    checks.push({ name: 'configuration', state: 'fail', detail: failure.message, fix: failure.hint });
    return checks;
  }
  checks.push(dataDirCheck(config), databaseCheck(config));
  checks.push(...(await nativeModuleChecks()));
  checks.push(...(await modelChecks(config)));
  const mcp = await mcpServerChecks(config);
  checks.push(...(await definitionChecks(config, mcp.toolNames)));
  checks.push(...mcp.checks);
  checks.push(await portCheck(config.server.host, config.server.port));
  return checks;
}

function nodeCheck(): DoctorCheck {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
  return ok
    ? { name: 'node', state: 'ok', detail: process.versions.node }
    : { name: 'node', state: 'fail', detail: `${process.versions.node} is too old`, fix: `Install Node ${MINIMUM_NODE.join('.')} or newer.` };
}

function dataDirCheck(config: TrellisConfig): DoctorCheck {
  const dir = path.resolve(config.dataDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { name: 'data dir', state: 'ok', detail: dir };
  } catch (error) {
    return { name: 'data dir', state: 'fail', detail: `${dir} is not writable (${String(error)})`, fix: 'Set TRELLIS_DATA_DIR to a writable folder.' };
  }
}

function databaseCheck(config: TrellisConfig): DoctorCheck {
  try {
    const { db, migrations } = openDatabase({ file: path.resolve(config.dataDir, 'trellis.db'), migrations: runtimeMigrations });
    db.close();
    return { name: 'database', state: 'ok', detail: `${migrations.current.length} migrations applied` };
  } catch (error) {
    const failure = TrellisError.isInstance(error) ? error : new TrellisError('DB_OPEN_FAILED', String(error));
    return { name: 'database', state: 'fail', detail: `${failure.code}: ${failure.message}`, fix: failure.hint };
  }
}

async function nativeModuleChecks(): Promise<DoctorCheck[]> {
  // Each probe loads the native binary itself, not just the JavaScript around it.
  const modules = [
    {
      name: 'better-sqlite3',
      probe: async () => void (await import('better-sqlite3')).default(':memory:').close(),
      fix: 'Run `npm rebuild better-sqlite3` (needs python3, make and a C++ compiler).',
    },
    {
      name: 'onnxruntime-node',
      probe: async () => void (await import('onnxruntime-node')).env.versions,
      fix: 'Run `npm install` again; keep `onnxruntime-node-install=skip` in .npmrc when offline.',
    },
    {
      name: 'node-llama-cpp',
      probe: async () => void (await (await import('../../core/models/llama-cpp-runtime.js')).loadLlama()),
      fix: 'Run `npm install` again; its prebuilt CPU binary comes with the npm package (@node-llama-cpp/linux-x64).',
    },
  ];
  return Promise.all(
    modules.map(async ({ name, probe, fix }): Promise<DoctorCheck> => {
      try {
        await probe();
        return { name: `native module ${name}`, state: 'ok', detail: 'loads' };
      } catch (error) {
        return { name: `native module ${name}`, state: 'fail', detail: String(error), fix };
      }
    }),
  );
}

/** Configured catalogue models: present is ok; missing is a warning, since Trellis runs without them. */
async function modelChecks(config: TrellisConfig): Promise<DoctorCheck[]> {
  const wanted = [
    config.models.embedding.provider === 'onnx' && !config.models.embedding.path ? config.models.embedding.model : undefined,
    config.models.reranker.provider === 'onnx' && !config.models.reranker.path ? config.models.reranker.model : undefined,
    ['auto', 'llama-cpp'].includes(config.models.chat.provider) && !config.models.chat.model?.endsWith('.gguf')
      ? (config.models.chat.model ?? defaultAsset('chat')?.name)
      : undefined,
  ].filter((name): name is string => Boolean(name));
  return Promise.all(
    wanted.map(async (name): Promise<DoctorCheck> => {
      try {
        const entry = findAsset(name);
        const asset = await resolveAsset(name, {
          modelsDir: config.models.dir,
          cacheDir: config.models.cacheDir,
          mirror: config.models.mirror,
          download: false,
        });
        return { name: `${entry.kind} model ${name}`, state: 'ok', detail: asset.dir };
      } catch (error) {
        const failure = TrellisError.isInstance(error) ? error : new TrellisError('MODEL_UNAVAILABLE', String(error));
        return { name: `model ${name}`, state: failure.code === 'ASSET_UNKNOWN' ? 'fail' : 'warn', detail: failure.message, fix: failure.hint };
      }
    }),
  );
}

/** The user's tool and agent folders: every file that failed to load, with why. Agents may name mounted MCP tools. */
async function definitionChecks(config: TrellisConfig, mcpToolNames: readonly string[]): Promise<DoctorCheck[]> {
  const { createBuiltinTools } = await import('../../tools/builtin-tools.js');
  const { createToolRegistry } = await import('../../tools/registry.js');
  const { createAgentRegistry } = await import('../../agents/registry.js');
  const { builtinAgents } = await import('../../agents/builtin-agents.js');
  try {
    const tools = await createToolRegistry({
      builtins: createBuiltinTools({ httpFetch: config.tools.httpFetch }),
      directories: config.tools.dir ? [path.resolve(config.tools.dir)] : [],
      logger: silentLogger,
    });
    const agents = await createAgentRegistry({
      builtins: builtinAgents,
      directories: config.agents.dir ? [path.resolve(config.agents.dir)] : [],
      logger: silentLogger,
      toolNames: new Set([...tools.list().map((tool) => tool.name), ...mcpToolNames]),
    });
    const problems = [...tools.problems, ...agents.problems];
    if (problems.length === 0) {
      return [{ name: 'tools and agents', state: 'ok', detail: `${tools.list().length} tools, ${agents.list().length} agents` }];
    }
    return problems.map((problem) => ({ name: `file ${problem.file}`, state: 'warn', detail: `${problem.code}: ${problem.message}`, fix: 'Fix or remove the file; the others load.' }));
  } catch (error) {
    const failure = TrellisError.isInstance(error) ? error : new TrellisError('INTERNAL', String(error));
    return [{ name: 'tools and agents', state: 'fail', detail: `${failure.code}: ${failure.message}`, fix: failure.hint }];
  }
}

/**
 * Each configured MCP server, connected and asked for its tools as `trellis serve` would, then closed: ok with its
 * tools, or a warning with why (Trellis runs without a server that fails).
 */
export async function mcpServerChecks(config: TrellisConfig): Promise<{ checks: DoctorCheck[]; toolNames: string[] }> {
  const { mountMcpServers } = await import('../../tools/mcp/mount-mcp-servers.js');
  const mounted = await mountMcpServers({ servers: config.mcpServers, defaultTimeoutMs: config.tools.timeoutMs, reservedNames: new Set(), logger: silentLogger });
  await mounted.close();
  const checks = mounted.statuses.map((server): DoctorCheck => {
    const name = `mcp server ${server.name}`;
    if (server.state === 'disabled') return { name, state: 'ok', detail: 'disabled (enabled: false)' };
    if (server.state === 'failed') return { name, state: 'warn', detail: `${server.error!.code}: ${server.error!.message}`, fix: server.error!.hint };
    const detail = `${server.transport}, ${server.tools.length} tools: ${server.tools.join(', ') || 'none'}`;
    return server.warnings.length === 0
      ? { name, state: 'ok', detail }
      : { name, state: 'warn', detail: `${detail}; ${server.warnings.join('; ')}`, fix: 'Rename the MCP server in mcpServers, or fix the tool on its side.' };
  });
  return { checks, toolNames: mounted.tools.map((tool) => tool.name) };
}

async function portCheck(host: string, port: number): Promise<DoctorCheck> {
  if (port === 0) return { name: 'port', state: 'ok', detail: 'any free port (0)' };
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve({
        name: 'port',
        state: 'warn',
        detail: `${host}:${port} is not free (${error.code ?? error.message})`,
        fix: 'Stop the program using it (perhaps a running Trellis) or set TRELLIS_PORT.',
      });
    });
    server.listen({ host, port }, () => {
      server.close(() => resolve({ name: 'port', state: 'ok', detail: `${host}:${port} is free` }));
    });
  });
}
