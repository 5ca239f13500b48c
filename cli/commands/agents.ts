import { Command } from 'commander';
import { withRuntime } from '../with-runtime.js';

/** `trellis agents list`: every agent a run can target, with its tools and handoffs. */
export function createAgentsCommand(): Command {
  const agents = new Command('agents').description('inspect the agents');
  agents
    .command('list')
    .description('built-in agents and those of agents.dir')
    .action(async () => {
      await withRuntime(async (runtime) => {
        for (const agent of runtime.agents.list()) {
          const uses = agent.handoffs?.length ? `hands off to: ${agent.handoffs.join(', ')}` : `tools: ${agent.tools.join(', ') || 'none'}`;
          process.stdout.write(`${agent.name}\t${agent.description}\t(${uses})\n`);
        }
        for (const problem of runtime.agents.problems) {
          process.stderr.write(`error ${problem.code}: ${problem.file}: ${problem.message}\n`);
        }
        if (runtime.agents.problems.length > 0) process.exitCode = 1;
      });
    });
  return agents;
}
