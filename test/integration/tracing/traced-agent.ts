import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type TrellisConfigOverrides } from '../../../core/config.js';
import type { Logger } from '../../../core/logger.js';
import type { ScriptedTurn } from '../../../core/models/scripted-chat-model.js';
import { createRuntime, type Runtime } from '../../../runtime/create-runtime.js';
import type { RunRecord } from '../../../runtime/run-records.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { node } from './span-tree.js';

/**
 * The secrets a user pastes into the message: they reach the model (redaction is for traces only) and must never
 * leave the process in a span.
 */
export const SECRETS = { email: 'jane.doe@example.com', apiKey: 'sk-live-4f9b2c7d1e8a6b3c5d7e9f0a' } as const;

export const USER_MESSAGE = `I am ${SECRETS.email}, my key is ${SECRETS.apiKey}. What is 2+2, and how do I reset my password?`;

export const ANSWER = 'It is 4. To reset your password, open Settings and choose Security [1].';

/** Asks for a calculation the calculator refuses (TOOL_INPUT_INVALID); the agent then apologises. */
export const BROKEN_SUM_MESSAGE = 'Please work out this broken sum: 1/';

/** Makes the agent search a knowledge base named after the user's email, which fails with KB_NOT_FOUND. */
export const WRONG_KB_MESSAGE = 'Search the wrong knowledge base for invoices';

/**
 * In order: a turn that calls the calculator, one that searches the `help` knowledge base, then the answer.
 * Out of order (by `match`): the broken sum's calculator call and the reply to its error; the search of the wrong
 * knowledge base and the reply to its error.
 */
export const SCRIPT: readonly ScriptedTurn[] = [
  { toolCalls: [{ name: 'calculator', args: { expression: '2+2' }, id: 'call_calculator' }] },
  { toolCalls: [{ name: 'knowledge_search', args: { query: 'reset password', kb: 'help', mode: 'keyword' }, id: 'call_search' }] },
  { text: ANSWER },
  { match: 'broken sum', toolCalls: [{ name: 'calculator', args: { expression: '1/' }, id: 'call_broken' }] },
  { match: '^Error TOOL_INPUT_INVALID', text: 'That expression cannot be computed.' },
  { match: 'wrong knowledge base', toolCalls: [{ name: 'knowledge_search', args: { query: 'invoices', kb: SECRETS.email }, id: 'call_wrong_kb' }] },
  { match: '^Error KB_NOT_FOUND', text: 'There is no such knowledge base.' },
];

/** The trace of one `SCRIPT` run: graph nodes under the run, model, tool and retrieval spans under the nodes. */
export const EXPECTED_TREE = node(
  'run assistant',
  node('node agent', node('chat ScriptedChatModel')),
  node('node tools', node('tool calculator')),
  node('node agent', node('chat ScriptedChatModel')),
  node('node tools', node('tool knowledge_search', node('retrieve help'))),
  node('node agent', node('chat ScriptedChatModel')),
);

/** Prices that make the cost of a call easy to check: $1 per input token, $2 per output token. */
export const PRICES = { ScriptedChatModel: { inputPerMillionTokens: 1_000_000, outputPerMillionTokens: 2_000_000 } };

export type TracedRuntime = Runtime & { dispose(): Promise<void> };

/**
 * A runtime on a throwaway data dir whose `assistant` agent plays `SCRIPT` (in a loop, so a test can run it again)
 * and whose tenant `acme` has a `help` knowledge base; tracing as `tracing` says.
 */
export async function createTracedRuntime(
  options: { tracing?: TrellisConfigOverrides['tracing']; logger?: Logger; now?: () => Date; dataDir?: string } = {},
): Promise<TracedRuntime> {
  const temp = makeTempDir('trellis-tracing-');
  const dataDir = options.dataDir ?? temp.dir;
  writeFileSync(path.join(temp.dir, 'script.json'), JSON.stringify(SCRIPT));
  const corpus = path.join(temp.dir, 'corpus');
  const config = loadConfig({
    env: {},
    cwd: temp.dir,
    overrides: {
      dataDir,
      logLevel: 'silent',
      stores: { vector: { provider: 'none' } },
      models: { cacheDir: path.join(temp.dir, 'cache'), threads: 1, reranker: { provider: 'none' }, chat: { provider: 'scripted', scriptPath: path.join(temp.dir, 'script.json') } },
      tracing: { prices: PRICES, ...options.tracing },
    },
  });
  let runtime: Runtime;
  try {
    runtime = await createRuntime({ config, logger: options.logger, now: options.now });
  } catch (error) {
    temp.remove();
    throw error;
  }
  await runtime.start();
  mkdirSync(corpus);
  writeFileSync(path.join(corpus, 'reset.md'), '# Password reset\n\nTo reset your password, open Settings and choose Security, then Reset password.\n');
  writeFileSync(path.join(corpus, 'billing.md'), '# Billing\n\nInvoices are sent on the first day of every month by email.\n');
  await runtime.knowledge.ingest({ tenantId: 'acme', kb: 'help', root: corpus });
  return Object.assign(runtime, {
    async dispose() {
      await runtime.stop();
      temp.remove();
    },
  });
}

/** Spans of the ingest of `help` that `createTracedRuntime` does: an ingest is a trace of its own, one root span. */
export const INGEST_SPANS = 1;

/** The spans of runs alone, without that ingest's trace. */
export function runSpansOf<Span extends { readonly attributes: Readonly<Record<string, unknown>> }>(spans: readonly Span[]): Span[] {
  return spans.filter((span) => span.attributes['trellis.span.kind'] !== 'ingest');
}

/** Runs the scripted agent once through the run manager, as the API does, and waits for it to end. */
export async function runTracedAgent(runtime: Runtime, message = USER_MESSAGE): Promise<RunRecord> {
  const handle = runtime.runManager.start('acme', { target: 'assistant', message, metadata: { user: 'user-42' } });
  return handle.done;
}
