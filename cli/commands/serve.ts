import { Command, InvalidArgumentError } from 'commander';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../core/config.js';
import { TrellisError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { TRELLIS_VERSION } from '../../core/version.js';
import { bootstrapAdminKey } from '../../runtime/bootstrap-admin-key.js';
import type { Runtime } from '../../runtime/create-runtime.js';

interface ServeFlags {
  host?: string;
  port?: number;
}

/** `trellis serve` (also what `npm start` runs): the API on embedded defaults, stopped cleanly by Ctrl-C. */
export function createServeCommand(): Command {
  return new Command('serve')
    .description('start the Trellis server (HTTP API, /healthz, /readyz)')
    .option('--host <host>', 'interface to listen on (TRELLIS_HOST)')
    .option('--port <port>', 'port to listen on, 0 for any free port (TRELLIS_PORT)', parsePort)
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('expected 0..65535');
  return port;
}

async function serve(flags: ServeFlags): Promise<void> {
  const config = loadConfig({ overrides: { server: { host: flags.host, port: flags.port } } });
  const logger = createLogger({ level: config.logLevel });
  // Loaded on use, like every command's runtime (see with-runtime.ts), so other commands start without the server.
  const [{ createRuntime }, { buildApp }] = await Promise.all([import('../../runtime/create-runtime.js'), import('../../api/app.js')]);
  const runtime = await createRuntime({ config, logger });
  const started: { app?: FastifyInstance } = {};
  // Signals are handled before anything can fail, so a Ctrl-C during start-up also stops what has started.
  installShutdown(runtime, () => started.app, config.server.shutdownGraceSeconds);
  let url: string;
  try {
    await runtime.start();
    started.app = await buildApp({ runtime });
    url = await listen(started.app, config.server.host, config.server.port);
  } catch (error) {
    // Whatever started (child processes included) stops before the error is reported.
    await started.app?.close();
    await runtime.stop();
    throw error;
  }
  const chat = runtime.models.chat;
  const adminKey = config.auth.enabled ? bootstrapAdminKey(runtime.apiKeys, config.dataDir) : undefined;
  process.stdout.write(
    `Trellis ${TRELLIS_VERSION} listening on ${url}\n` +
      `  health: ${url}/healthz   readiness: ${url}/readyz   API reference: ${url}/docs\n` +
      `  OpenAI-compatible: ${url}/v1   LangGraph Agent Protocol: ${url}   WebSocket: ${url.replace(/^http/, 'ws')}/ws\n` +
      authLine(config.auth.enabled, adminKey) +
      `  chat model: ${chat.mode === 'model' ? `${chat.provider} (${chat.modelId})` : 'none (retrieval-only mode)'}\n` +
      `  data: ${runtime.db.name}\n` +
      'Press Ctrl-C to stop.\n',
  );
}

function authLine(enabled: boolean, adminKey: { key: string; file: string } | undefined): string {
  if (!enabled) return '  auth: OFF (TRELLIS_AUTH__ENABLED=false): every request acts as the default tenant\'s admin\n';
  if (!adminKey) return '  auth: API keys (`trellis keys list`, `trellis keys create --tenant <t> --scopes chat`)\n';
  return (
    `  first start: created an admin API key for tenant "default"; it is shown once, here:\n` +
    `    ${adminKey.key}\n` +
    `  a copy is in ${adminKey.file} (readable only by you); delete that file once you have stored the key elsewhere.\n`
  );
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
      throw new TrellisError('SERVER_PORT_IN_USE', `port ${port} on ${host} is already in use`, { cause: error });
    }
    throw error;
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${bound}`;
}

/**
 * First SIGINT/SIGTERM: stop accepting connections and new runs; let requests and runs finish within the grace
 * period, then cancel the runs still going (each thread keeps its last checkpoint, so it continues when run again),
 * close WebSockets with a reason, stop the runtime (and with it every child process), exit 0. A second signal exits
 * at once, for a user who does not want to wait.
 */
function installShutdown(runtime: Runtime, app: () => FastifyInstance | undefined, graceSeconds: number): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      process.exit(130);
    }
    shuttingDown = true;
    runtime.logger.info({ signal }, 'shutting down');
    const graceTimer = setTimeout(() => {
      runtime.logger.warn('grace period over; closing remaining connections');
      app()?.server.closeAllConnections();
    }, graceSeconds * 1000);
    graceTimer.unref();
    void (async () => {
      try {
        // Runs end (finished or cancelled) within the grace period, which ends the requests streaming or waiting on them.
        await Promise.all([runtime.runManager.drain(graceSeconds * 1000), app()?.close()]);
      } finally {
        await runtime.stop();
        process.exit(0);
      }
    })();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
