import { Command } from 'commander';
import { TRELLIS_VERSION } from '../core/version.js';
import { createDoctorCommand } from './commands/doctor.js';
import { createModelsCommand } from './commands/models.js';
import { createServeCommand } from './commands/serve.js';
import { loadAssetSettings } from './load-settings.js';
import { reportError } from './report-error.js';

const program = new Command('trellis')
  .description('Agentic LLM and RAG platform: serve the API, manage models, check the installation.')
  .version(TRELLIS_VERSION)
  .showHelpAfterError();

program.addCommand(createServeCommand());
program.addCommand(createModelsCommand(loadAssetSettings));
program.addCommand(createDoctorCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  reportError(error);
  process.exitCode = 1;
}
