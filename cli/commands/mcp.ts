import { Argument, Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { MCP_SERVER_KINDS, type McpServerKind } from '../../mcp-servers/server-kinds.js';

interface ServeFlags {
  tenant: string;
  allowApprovalTools?: boolean;
}

/** `trellis mcp serve knowledge|tools`: a Trellis MCP server over stdio, for Claude Desktop, IDEs and other agents. */
export function createMcpCommand(): Command {
  const mcp = new Command('mcp').description('serve Trellis to MCP clients (Model Context Protocol)');
  mcp
    .command('serve')
    .description('serve the knowledge or tools MCP server over stdio (the HTTP API serves both at /mcp/<server>)')
    .addArgument(new Argument('<server>', 'which server').choices(MCP_SERVER_KINDS))
    .option('--tenant <id>', 'the tenant whose knowledge bases and tools are served', 'default')
    .option('--allow-approval-tools', 'tools server: also serve tools that need approval (your MCP client confirms each call instead)')
    .action(async (kind: McpServerKind, flags: ServeFlags) => {
      const config = loadConfig();
      // stdout carries the protocol: the log goes to stderr, warnings only unless asked for more.
      const logger = createLogger({ level: process.env.TRELLIS_LOG_LEVEL ?? 'warn', destination: process.stderr });
      // Loaded on use: the runtime and the MCP SDK are most of the CLI's start-up (see with-runtime.ts).
      const [{ createRuntime }, { createTrellisMcpServer }, { serveOverStdio }] = await Promise.all([
        import('../../runtime/create-runtime.js'),
        import('../../mcp-servers/create-mcp-server.js'),
        import('../../mcp-servers/serve-stdio.js'),
      ]);
      const runtime = await createRuntime({ config, logger, mountMcpServers: false });
      const stopping = new AbortController();
      const onSignal = () => stopping.abort();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await runtime.start();
        const server = createTrellisMcpServer(kind, runtime, { tenantId: flags.tenant, includeApprovalTools: flags.allowApprovalTools === true });
        logger.info({ server: kind, tenant: flags.tenant }, 'MCP server ready on stdio');
        await serveOverStdio(server, { signal: stopping.signal });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await runtime.stop();
      }
    });
  return mcp;
}
