import type { RunEvent } from '../graphs/run-events.js';

/** How a run ended, for the command to decide what comes next. */
export interface RenderedRun {
  readonly threadId: string;
  readonly status: 'completed' | 'interrupted' | 'failed';
  /** The pending approval request's value, when the run waits for a person. */
  readonly approval?: { readonly requests?: readonly { toolCallId: string; name: string; args: unknown; description?: string }[] };
}

/**
 * Prints a run as a person reads it: the answer's words on stdout as they stream, tool activity and errors on
 * stderr, the citations at the end. Every event type is handled, so nothing a run says is lost in the terminal.
 */
export async function renderRun(events: AsyncIterable<RunEvent>, out = process.stdout, err = process.stderr): Promise<RenderedRun> {
  let threadId = '';
  let printed = false;
  for await (const event of events) {
    switch (event.type) {
      case 'run-start':
        threadId = event.threadId;
        break;
      case 'token-delta':
        out.write(event.text);
        printed = true;
        break;
      case 'tool-call':
        err.write(`\n→ ${event.name} ${JSON.stringify(event.args)}\n`);
        break;
      case 'tool-result':
        err.write(`← ${event.name}${event.status === 'error' ? ' (error)' : ''}: ${event.output.replace(/\s+/g, ' ').slice(0, 200)}\n`);
        break;
      case 'approval-request': {
        const value = event.value as RenderedRun['approval'];
        for (const request of value?.requests ?? []) {
          err.write(`\napproval needed: ${request.name} ${JSON.stringify(request.args)} (call ${request.toolCallId})\n`);
        }
        return { threadId, status: 'interrupted', approval: value };
      }
      case 'run-end': {
        if (!printed && event.answer) out.write(event.answer);
        out.write('\n');
        const citations = Array.isArray(event.state.citations) ? (event.state.citations as { n: number; source: string; page: number | null }[]) : [];
        for (const citation of citations) {
          out.write(`[${citation.n}] ${citation.source}${citation.page ? ` p.${citation.page}` : ''}\n`);
        }
        return { threadId, status: event.status };
      }
      case 'run-error':
        err.write(`\nerror ${event.code}: ${event.message}\nhint: ${event.hint}\n`);
        return { threadId, status: 'failed' };
      case 'node-start':
      case 'node-end':
        break;
    }
  }
  return { threadId, status: 'failed' };
}
