import path from 'node:path';
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { Command } from '@langchain/langgraph';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../../../agents/define-agent.js';
import { createSqliteCheckpointer } from '../../../core/checkpointer.js';
import { createScriptedChatModel } from '../../../core/models/scripted-chat-model.js';
import { parseApprovalResume, type ApprovalInterrupt } from '../../../graphs/approval.js';
import { buildReactGraph } from '../../../graphs/react.js';
import { defineTool } from '../../../tools/define-tool.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { testLimits } from '../../helpers/tool-context.js';
import { approvalInterrupts, contextFrom, openJournal } from './fixtures/react-setup.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A tool with an effect on the world: a person approves each call, and every run is recorded. */
function emailTool() {
  const sent: { to: string; subject: string }[] = [];
  const tool = defineTool({
    name: 'send_email',
    description: 'Sends an email.',
    schema: z.object({ to: z.email().describe('Recipient'), subject: z.string().min(1).describe('Subject line') }),
    needsApproval: true,
    execute: (input) => {
      sent.push(input);
      return { sent: true, to: input.to };
    },
  });
  return { tool, sent };
}

const agent = defineAgent({
  name: 'mailer',
  description: 'Sends emails for the user.',
  instructions: 'Send the emails the user asks for.',
  tools: ['send_email'],
});

const proposal = { toolCalls: [{ name: 'send_email', args: { to: 'ann@example.com', subject: 'Hello' }, id: 'call-1' }] };

function setup(options: { file?: string; turns?: Parameters<typeof createScriptedChatModel>[0]['turns'] } = {}) {
  const { dir, remove } = makeTempDir('trellis-react-');
  const file = options.file ?? path.join(dir, 'checkpoints.db');
  const checkpointer = createSqliteCheckpointer(file);
  const { journal, close } = openJournal(path.join(dir, 'trellis.db'));
  cleanups.push(remove, close, () => checkpointer.close());
  const email = emailTool();
  const model = createScriptedChatModel({
    turns: options.turns ?? [proposal, ({ messages }) => ({ text: `Result: ${messages.at(-1)!.text}` })],
  });
  const graph = buildReactGraph({ agent, model, tools: [email.tool], toolContext: contextFrom(), limits: testLimits, journal })
    .compile({ checkpointer: checkpointer.saver });
  return { graph, model, sent: email.sent, checkpointer, file };
}

const config = { configurable: { thread_id: 'thread-1', tenantId: 'default' } };
const ask = { messages: [new HumanMessage('Email Ann to say hello')] };

function interruptOf(result: object): ApprovalInterrupt {
  const interrupts = approvalInterrupts(result);
  expect(interrupts).toHaveLength(1);
  return interrupts[0]!;
}

function toolMessages(messages: readonly BaseMessage[]): ToolMessage[] {
  return messages.filter((message): message is ToolMessage => ToolMessage.isInstance(message));
}

describe('react graph approvals', () => {
  it('pauses with an approval-request before the tool runs, and runs it once approved', async () => {
    const { graph, sent } = setup();
    const paused = await graph.invoke(ask, config);
    expect(interruptOf(paused)).toEqual({
      type: 'approval-request',
      requests: [{ toolCallId: 'call-1', name: 'send_email', args: { to: 'ann@example.com', subject: 'Hello' }, description: 'Sends an email.' }],
    });
    expect(sent).toEqual([]);

    const done = await graph.invoke(new Command({ resume: { decisions: { 'call-1': { action: 'approve' } } } }), config);
    expect(sent).toEqual([{ to: 'ann@example.com', subject: 'Hello' }]);
    expect(done.messages.map((message: BaseMessage) => message.getType())).toEqual(['human', 'ai', 'tool', 'ai']);
    const [result] = toolMessages(done.messages);
    expect(result).toMatchObject({ name: 'send_email', status: 'success', tool_call_id: 'call-1' });
    expect(done.messages.at(-1)!.text).toBe('Result: {"sent":true,"to":"ann@example.com"}');
  });

  it('runs an edited call with the edited arguments, and shows them in the conversation', async () => {
    const { graph, sent } = setup();
    await graph.invoke(ask, config);
    const done = await graph.invoke(new Command({ resume: { action: 'edit', args: { to: 'bob@example.com', subject: 'Hi' } } }), config);
    expect(sent).toEqual([{ to: 'bob@example.com', subject: 'Hi' }]);
    const call = (done.messages[1] as AIMessage).tool_calls![0]!;
    expect(call).toMatchObject({ id: 'call-1', name: 'send_email', args: { to: 'bob@example.com', subject: 'Hi' } });
    expect(done.messages).toHaveLength(4);
  });

  it('returns edited arguments that break the schema to the model as issues, without running the tool', async () => {
    const { graph, sent, model } = setup();
    await graph.invoke(ask, config);
    const done = await graph.invoke(new Command({ resume: { action: 'edit', args: { to: 'not-an-address' } } }), config);
    expect(sent).toEqual([]);
    const [result] = toolMessages(done.messages);
    expect(result!.status).toBe('error');
    expect(result!.text).toMatch(/^Error TOOL_INPUT_INVALID: invalid arguments for send_email/);
    expect(result!.text).toContain('- to:');
    expect(result!.text).toContain('- subject:');
    expect(model.calls[1]!.messages.at(-1)!.text).toBe(result!.text);
  });

  it('turns a rejection into an error result with the reason, which the model reads; the tool never runs', async () => {
    const { graph, sent, model } = setup();
    await graph.invoke(ask, config);
    const done = await graph.invoke(new Command({ resume: { action: 'reject', reason: 'Ann asked not to be emailed' } }), config);
    expect(sent).toEqual([]);
    const [result] = toolMessages(done.messages);
    expect(result).toMatchObject({ name: 'send_email', status: 'error', tool_call_id: 'call-1' });
    expect(result!.text).toContain('rejected');
    expect(result!.text).toContain('Ann asked not to be emailed');
    expect(model.calls).toHaveLength(2);
    expect(model.calls[1]!.messages.at(-1)!.text).toBe(result!.text);
  });

  it('asks again, with RUN_RESUME_INVALID, when the resume value is invalid, and accepts a valid one next', async () => {
    const { graph, sent } = setup();
    await graph.invoke(ask, config);
    const unknownId = interruptOf(await graph.invoke(new Command({ resume: { decisions: { 'call-9': { action: 'approve' } } } }), config));
    expect(unknownId).toMatchObject({
      type: 'approval-request',
      requests: [{ toolCallId: 'call-1' }],
      error: { code: 'RUN_RESUME_INVALID', message: expect.stringContaining('no pending tool call has the id call-9') },
    });
    const badAction = interruptOf(await graph.invoke(new Command({ resume: { action: 'maybe' } }), config));
    expect(badAction.error).toMatchObject({ code: 'RUN_RESUME_INVALID', message: expect.stringContaining('action') });
    expect(sent).toEqual([]);
    const done = await graph.invoke(new Command({ resume: { action: 'approve' } }), config);
    expect(approvalInterrupts(done)).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('lets an entry point refuse a bad resume value up front with RUN_RESUME_INVALID', async () => {
    const { graph } = setup();
    await graph.invoke(ask, config);
    const state = await graph.getState(config);
    const pending = state.tasks.flatMap((task) => task.interrupts).map((entry) => entry.value as ApprovalInterrupt);
    expect(() => parseApprovalResume({ decisions: {} }, pending[0]!.requests)).toThrow(
      expect.objectContaining({ code: 'RUN_RESUME_INVALID', message: expect.stringContaining('no decision for call-1') }),
    );
    expect(parseApprovalResume({ action: 'approve' }, pending[0]!.requests)).toEqual(new Map([['call-1', { action: 'approve' }]]));
  });

  it('asks only about the calls that need approval and runs the others with them', async () => {
    const email = emailTool();
    const ran: string[] = [];
    const lookup = defineTool({
      name: 'lookup_contact',
      description: 'Finds an email address.',
      schema: z.object({ name: z.string() }),
      execute: ({ name }) => (ran.push(name), `${name.toLowerCase()}@example.com`),
    });
    const { journal, close } = openJournal();
    cleanups.push(close);
    const model = createScriptedChatModel({
      turns: [
        { toolCalls: [
          { name: 'lookup_contact', args: { name: 'Ann' }, id: 'a' },
          { name: 'send_email', args: { to: 'ann@example.com', subject: 'Hi' }, id: 'b' },
        ] },
        { text: 'done' },
      ],
    });
    const { dir, remove } = makeTempDir();
    const checkpointer = createSqliteCheckpointer(path.join(dir, 'c.db'));
    cleanups.push(remove, () => checkpointer.close());
    const graph = buildReactGraph({
      agent: defineAgent({ ...agent, tools: ['send_email', 'lookup_contact'] }),
      model, tools: [email.tool, lookup], toolContext: contextFrom(), limits: testLimits, journal,
    }).compile({ checkpointer: checkpointer.saver });
    const paused = await graph.invoke(ask, config);
    expect(interruptOf(paused).requests.map((request) => request.toolCallId)).toEqual(['b']);
    expect(ran).toEqual([]);
    const done = await graph.invoke(new Command({ resume: { decisions: { b: { action: 'reject' } } } }), config);
    expect(ran).toEqual(['Ann']);
    expect(email.sent).toEqual([]);
    expect(toolMessages(done.messages).map((message) => [message.tool_call_id, message.status])).toEqual([['b', 'error'], ['a', 'success']]);
  });
});

describe('react graph approvals across a restart', () => {
  it('resumes a paused thread in a new graph on a new saver over the same file; the tool runs once', async () => {
    const first = setup();
    const paused = await first.graph.invoke(ask, config);
    expect(interruptOf(paused).requests).toHaveLength(1);
    await first.checkpointer.close();

    // As after a restart: a new checkpointer on the same file, a new model and graph (the tool records into `second.sent`).
    const second = setup({ file: first.file, turns: [({ messages }) => ({ text: `Result: ${messages.at(-1)!.text}` })] });
    const state = await second.graph.getState(config);
    expect(state.next).toEqual(['approve']);
    const done = await second.graph.invoke(new Command({ resume: { action: 'approve' } }), config);
    expect(second.sent).toEqual([{ to: 'ann@example.com', subject: 'Hello' }]);
    expect(first.sent).toEqual([]);
    expect(toolMessages(done.messages)).toHaveLength(1);
    expect(done.messages.at(-1)!.text).toBe('Result: {"sent":true,"to":"ann@example.com"}');
    expect(second.model.calls).toHaveLength(1);
  });
});
