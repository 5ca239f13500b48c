import { Command } from 'commander';
import { renderRun } from '../render-run.js';
import { withRuntime } from '../with-runtime.js';

interface AskFlags {
  agent?: string;
  graph?: string;
  kb?: string;
  thread?: string;
  tenant: string;
  approve?: boolean;
  reject?: string | boolean;
  edit?: string;
}

/**
 * `trellis ask "<question>"`: one question, the answer streamed. A run that needs approval prints the pending
 * calls and exits 3; run `trellis ask --thread <id> --approve` (or `--reject "why"`, `--edit '{...}'`) to go on.
 */
export function createAskCommand(): Command {
  return new Command('ask')
    .description('ask a question; the answer streams as it is written')
    .argument('[question]', 'the question (omit when answering an approval request)')
    .option('--agent <name>', 'an agent (`trellis agents list`)')
    .option('--graph <name>', 'a graph instead of an agent: rag, research or pipeline')
    .option('--kb <name>', 'knowledge base to answer from (rag and research need one)')
    .option('--thread <id>', 'continue a thread')
    .option('--tenant <id>', 'tenant', 'default')
    .option('--approve', 'approve the pending tool calls of --thread')
    .option('--reject [reason]', 'reject the pending tool calls of --thread')
    .option('--edit <json>', 'run the pending tool call of --thread with these arguments instead')
    .action(async (question: string | undefined, flags: AskFlags) => {
      const resume = resumeValue(flags);
      const target = flags.graph ?? flags.agent ?? (flags.thread ? undefined : flags.kb ? 'rag' : 'assistant');
      const result = await withRuntime((runtime, signal) =>
        renderRun(
          runtime.runManager.stream(flags.tenant, { target, threadId: flags.thread, message: question, kb: flags.kb, resume }, signal),
        ),
      );
      process.stderr.write(`thread: ${result.threadId}\n`);
      if (result.status === 'interrupted') {
        process.stderr.write(`waiting for approval: trellis ask --thread ${result.threadId} --approve | --reject "<why>" | --edit '<json>'\n`);
        process.exitCode = 3;
      }
      if (result.status === 'failed') process.exitCode = 1;
    });
}

function resumeValue(flags: AskFlags): unknown {
  if (flags.approve) return { action: 'approve' };
  if (flags.reject !== undefined) return { action: 'reject', ...(typeof flags.reject === 'string' ? { reason: flags.reject } : {}) };
  if (flags.edit !== undefined) return { action: 'edit', args: JSON.parse(flags.edit) as Record<string, unknown> };
  return undefined;
}
