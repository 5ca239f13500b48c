import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { renderRun, type RenderedRun } from '../render-run.js';
import { withRuntime } from '../with-runtime.js';

interface ChatFlags {
  agent?: string;
  graph?: string;
  kb?: string;
  tenant: string;
}

/** `trellis chat`: a conversation in the terminal, one thread, with approval prompts for tools that need them. */
export function createChatCommand(): Command {
  return new Command('chat')
    .description('chat in the terminal (empty line or Ctrl-D to quit)')
    .option('--agent <name>', 'an agent (`trellis agents list`)', 'assistant')
    .option('--graph <name>', 'a graph instead of an agent: rag, research or pipeline')
    .option('--kb <name>', 'knowledge base to answer from')
    .option('--tenant <id>', 'tenant', 'default')
    .action(async (flags: ChatFlags) => {
      const terminal = createInterface({ input: process.stdin, output: process.stderr });
      try {
        await withRuntime(async (runtime, signal) => {
          let threadId: string | undefined;
          const target = flags.graph ?? flags.agent;
          for (;;) {
            const message = (await terminal.question('\nyou> ').catch(() => '')).trim();
            if (!message) return;
            let result: RenderedRun = await renderRun(
              runtime.runManager.stream(flags.tenant, { target, threadId, message, kb: flags.kb }, signal),
            );
            threadId = result.threadId || threadId;
            while (result.status === 'interrupted') {
              const resume = await askApproval(terminal);
              result = await renderRun(runtime.runManager.stream(flags.tenant, { threadId, resume }, signal));
            }
          }
        });
      } finally {
        terminal.close();
      }
    });
}

async function askApproval(terminal: ReturnType<typeof createInterface>): Promise<unknown> {
  for (;;) {
    const answer = (await terminal.question('approve? [y]es / [n]o / [e]dit: ')).trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') return { action: 'approve' };
    if (answer === 'n' || answer === 'no') {
      const reason = (await terminal.question('reason (optional): ')).trim();
      return { action: 'reject', ...(reason ? { reason } : {}) };
    }
    if (answer === 'e' || answer === 'edit') {
      const json = await terminal.question('arguments as JSON: ');
      try {
        return { action: 'edit', args: JSON.parse(json) as Record<string, unknown> };
      } catch {
        process.stderr.write('that is not valid JSON\n');
      }
    }
  }
}
