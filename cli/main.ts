import { Command } from 'commander';
import { TRELLIS_VERSION } from '../core/version.js';
import { createAgentsCommand } from './commands/agents.js';
import { createAskCommand } from './commands/ask.js';
import { createChatCommand } from './commands/chat.js';
import { createDoctorCommand } from './commands/doctor.js';
import { createEvalCommand } from './commands/eval.js';
import { createIngestCommand } from './commands/ingest.js';
import { createKeysCommand } from './commands/keys.js';
import { createMcpCommand } from './commands/mcp.js';
import { createKbCommand } from './commands/kb.js';
import { createGraphCommand } from './commands/graph.js';
import { createModelsCommand } from './commands/models.js';
import { createSearchCommand } from './commands/search.js';
import { createServeCommand } from './commands/serve.js';
import { createToolsCommand } from './commands/tools.js';
import { createTracesCommand } from './commands/traces.js';
import { loadAssetSettings } from './load-settings.js';
import { reportError } from './report-error.js';

const program = new Command('trellis')
  .description('Agentic LLM and RAG platform: serve the API, manage models, check the installation.')
  .version(TRELLIS_VERSION)
  .showHelpAfterError();

program.addCommand(createServeCommand());
program.addCommand(createIngestCommand());
program.addCommand(createSearchCommand());
program.addCommand(createKbCommand());
program.addCommand(createGraphCommand());
program.addCommand(createAskCommand());
program.addCommand(createChatCommand());
program.addCommand(createAgentsCommand());
program.addCommand(createToolsCommand());
program.addCommand(createModelsCommand(loadAssetSettings));
program.addCommand(createDoctorCommand());
program.addCommand(createKeysCommand());
program.addCommand(createMcpCommand());
program.addCommand(createTracesCommand());
program.addCommand(createEvalCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  reportError(error);
  process.exitCode = 1;
}
