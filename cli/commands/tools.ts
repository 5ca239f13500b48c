import { Command } from 'commander';
import { needsApproval } from '../../tools/define-tool.js';
import { withRuntime } from '../with-runtime.js';

/** `trellis tools list`: every tool agents can use, and the files that failed to load. */
export function createToolsCommand(): Command {
  const tools = new Command('tools').description('inspect the tools agents can call');
  tools
    .command('list')
    .description('built-in tools and those of tools.dir, with whether each needs approval')
    .action(async () => {
      await withRuntime(async (runtime) => {
        for (const tool of runtime.tools.list()) {
          const approval = typeof tool.needsApproval === 'function' ? 'approval: per call' : needsApproval(tool, {}) ? 'approval: always' : '';
          process.stdout.write(`${tool.name}\t${tool.description}${approval ? `\t(${approval})` : ''}\n`);
        }
        for (const problem of runtime.tools.problems) {
          process.stderr.write(`error ${problem.code}: ${problem.file}: ${problem.message}\n`);
        }
        if (runtime.tools.problems.length > 0) process.exitCode = 1;
      });
    });
  return tools;
}
