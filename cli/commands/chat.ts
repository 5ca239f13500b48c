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
      const ask = linePrompter(terminal, process.stderr);
      try {
        await withRuntime(async (runtime, signal) => {
          let threadId: string | undefined;
          const target = flags.graph ?? flags.agent;
          for (;;) {
            const message = (await ask('\nyou> '))?.trim();
            if (!message) return;
            let result: RenderedRun = await renderRun(
              runtime.runManager.stream(flags.tenant, { target, threadId, message, kb: flags.kb }, signal),
            );
            threadId = result.threadId || threadId;
            while (result.status === 'interrupted') {
              const resume = await askApproval(ask);
              result = await renderRun(runtime.runManager.stream(flags.tenant, { threadId, resume }, signal));
            }
          }
        });
      } finally {
        terminal.close();
      }
    });
}

/** Asks with a prompt and answers with the next line typed; undefined at the end of input. */
type Ask = (prompt: string) => Promise<string | undefined>;

/**
 * Prompts over the terminal's lines as a queue: a line typed (or piped) while a run is still answering waits for
 * the next prompt instead of being lost, as it would be with `question()`, which only hears lines that come after it.
 */
function linePrompter(terminal: ReturnType<typeof createInterface>, output: NodeJS.WritableStream): Ask {
  const lines = terminal[Symbol.asyncIterator]();
  // Piped input ends (and closes the interface) while its lines still wait in the queue. Node 24's prompt() throws
  // ERR_USE_AFTER_CLOSE on a closed interface (Node 20's did nothing), so the prompt is written directly from then on.
  let closed = false;
  terminal.once('close', () => {
    closed = true;
  });
  return async (prompt) => {
    if (closed) {
      output.write(prompt);
    } else {
      terminal.setPrompt(prompt);
      terminal.prompt();
    }
    const next = await lines.next().catch(() => ({ done: true as const, value: undefined }));
    return next.done ? undefined : next.value;
  };
}

async function askApproval(ask: Ask): Promise<unknown> {
  for (;;) {
    const line = await ask('approve? [y]es / [n]o / [e]dit: ');
    if (line === undefined) return { action: 'reject', reason: 'the terminal closed before an answer' };
    const answer = line.trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') return { action: 'approve' };
    if (answer === 'n' || answer === 'no') {
      const reason = (await ask('reason (optional): '))?.trim();
      return { action: 'reject', ...(reason ? { reason } : {}) };
    }
    if (answer === 'e' || answer === 'edit') {
      const json = (await ask('arguments as JSON: ')) ?? '';
      try {
        return { action: 'edit', args: JSON.parse(json) as Record<string, unknown> };
      } catch {
        process.stderr.write('that is not valid JSON\n');
      }
    }
  }
}
