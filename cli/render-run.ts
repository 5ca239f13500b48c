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
 * Returns once the events end (the run is over and its thread free for the next run), not at the first sign of
 * the end.
 */
export async function renderRun(events: AsyncIterable<RunEvent>, out = process.stdout, err = process.stderr): Promise<RenderedRun> {
  let threadId = '';
  let printed = false;
  let approval: RenderedRun['approval'];
  let ended: RenderedRun | undefined;
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
        approval = event.value as RenderedRun['approval'];
        for (const request of approval?.requests ?? []) {
          err.write(`\napproval needed: ${request.name} ${JSON.stringify(request.args)} (call ${request.toolCallId})\n`);
        }
        break;
      }
      case 'run-end': {
        if (event.status === 'interrupted') {
          ended = { threadId, status: 'interrupted', approval };
          break;
        }
        if (!printed && event.answer) out.write(event.answer);
        out.write('\n');
        const citations = Array.isArray(event.state.citations) ? (event.state.citations as { n: number; source: string; page: number | null }[]) : [];
        for (const citation of citations) {
          out.write(`[${citation.n}] ${citation.source}${citation.page ? ` p.${citation.page}` : ''}\n`);
        }
        ended = { threadId, status: 'completed' };
        break;
      }
      case 'run-error':
        err.write(`\nerror ${event.code}: ${event.message}\nhint: ${event.hint}\n`);
        ended = { threadId, status: 'failed' };
        break;
      case 'node-start':
      case 'node-end':
        break;
    }
  }
  return ended ?? { threadId, status: 'failed' };
}
