import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { HumanMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TrellisError } from '../../../../core/errors.js';
import { createScriptedChatModel, loadScriptedChatModel } from '../../../../core/models/scripted-chat-model.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

const calculator = tool(async ({ expression }) => expression, {
  name: 'calculator',
  description: 'Evaluates arithmetic',
  schema: z.object({ expression: z.string() }),
});

describe('ScriptedChatModel', () => {
  it('plays text turns in order and records what it was asked', async () => {
    const model = createScriptedChatModel({ turns: [{ text: 'first answer' }, { text: 'second' }] });
    expect((await model.invoke('hello there')).text).toBe('first answer');
    expect((await model.invoke([new HumanMessage('again')])).text).toBe('second');
    expect(model.calls.map((call) => call.messages.map((message) => message.text))).toEqual([['hello there'], ['again']]);
  });

  it('streams text word by word', async () => {
    const model = createScriptedChatModel({ turns: [{ text: 'one two three' }] });
    const chunks: string[] = [];
    for await (const chunk of await model.stream('go')) chunks.push(chunk.text);
    expect(chunks.filter(Boolean)).toEqual(['one ', 'two ', 'three']);
  });

  it('returns tool calls and sees the tools bound to it', async () => {
    const model = createScriptedChatModel({
      turns: [{ toolCalls: [{ name: 'calculator', args: { expression: '2+2' }, id: 'c1' }] }],
    });
    const reply = await model.bindTools([calculator], { tool_choice: 'any' }).invoke('what is 2+2?');
    expect(reply.tool_calls).toEqual([{ name: 'calculator', args: { expression: '2+2' }, id: 'c1', type: 'tool_call' }]);
    expect(model.calls[0]!.tools.map((t) => t.function.name)).toEqual(['calculator']);
    expect(model.calls[0]!.toolChoice).toBe('any');
    expect(reply.usage_metadata?.input_tokens).toBeGreaterThan(0);
  });

  it('answers from a responder that reads the request', async () => {
    const model = createScriptedChatModel({ turns: [({ messages }) => ({ text: `echo: ${messages.at(-1)!.text}` })] });
    expect((await model.invoke('ping')).text).toBe('echo: ping');
  });

  it('answers a matching last message out of order, and plays the other turns in order', async () => {
    const model = createScriptedChatModel({
      turns: [{ text: 'first' }, { match: 'rejected', text: 'Understood, I will not.' }, { text: 'second' }],
    });
    expect((await model.invoke('hello')).text).toBe('first');
    expect((await model.invoke('the person rejected the call')).text).toBe('Understood, I will not.');
    expect((await model.invoke('next')).text).toBe('second');
  });

  it('fails with the scripted error code', async () => {
    const model = createScriptedChatModel({ turns: [{ error: { code: 'MODEL_CALL_FAILED', message: 'upstream 500' } }] });
    await expect(model.invoke('x')).rejects.toMatchObject({ code: 'MODEL_CALL_FAILED', message: 'upstream 500' });
  });

  it('says when the script has run out, unless it loops', async () => {
    const once = createScriptedChatModel({ turns: [{ text: 'only' }] });
    await once.invoke('a');
    await expect(once.invoke('b')).rejects.toSatisfy((error) => TrellisError.isInstance(error, 'MODEL_SCRIPT_EXHAUSTED'));
    const looping = createScriptedChatModel({ turns: [{ text: 'again' }], loop: true });
    await looping.invoke('a');
    expect((await looping.invoke('b')).text).toBe('again');
  });

  it('honours abort during a delayed turn', async () => {
    const model = createScriptedChatModel({ turns: [{ text: 'late', delayMs: 5_000 }] });
    const started = Date.now();
    await expect(model.invoke('x', { signal: AbortSignal.timeout(50) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('loads a script file and rejects a malformed one with CONFIG_INVALID', () => {
    const temp = makeTempDir();
    try {
      const good = path.join(temp.dir, 'good.json');
      writeFileSync(good, JSON.stringify([{ text: 'hi' }]));
      expect(loadScriptedChatModel(good).modelId).toBe(`scripted:${good}`);
      const bad = path.join(temp.dir, 'bad.json');
      writeFileSync(bad, JSON.stringify([{ txt: 'typo' }]));
      expect(() => loadScriptedChatModel(bad)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    } finally {
      temp.remove();
    }
  });
});
