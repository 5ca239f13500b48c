import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, startCommand, type RunningCommand } from '../../helpers/cli-process.js';
import { processesInGroup } from '../../helpers/processes.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { buildCrashGraph, crashFiles, CRASH_THREAD, runCount, type CrashGraphOptions } from './fixtures/crash-graph.js';

const fixture = path.join(import.meta.dirname, 'fixtures', 'crash-run.ts');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the crash graph in a child process (its own process group) and SIGKILLs the group once `until` holds. */
async function runAndKill(options: CrashGraphOptions, until: () => boolean): Promise<RunningCommand> {
  const child = startCommand('node', ['--import', 'tsx', fixture, JSON.stringify(options)], cleanEnv({}));
  cleanups.push(() => {
    if (child.child.exitCode === null && child.child.signalCode === null) process.kill(-child.child.pid!, 'SIGKILL');
  });
  const deadline = Date.now() + 20_000;
  while (!until()) {
    if (child.child.exitCode !== null) throw new Error(`child exited early:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`child never reached the kill point:\n${child.output()}`);
    await sleep(25);
  }
  process.kill(-child.child.pid!, 'SIGKILL');
  expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
  expect(processesInGroup(child.child.pid!)).toEqual([]);
  expect(child.output()).not.toContain('run finished');
  return child;
}

/** Resumes the killed thread in this process, as a restarted server would: `invoke(null)` on the same thread. */
async function resume(options: CrashGraphOptions) {
  const run = buildCrashGraph({ ...options, slowToolMs: 0, slowModelMs: 0 });
  cleanups.push(() => run.close());
  const state = await run.graph.invoke(null, CRASH_THREAD);
  return { ...run, messages: state.messages as BaseMessage[] };
}

function toolResults(messages: readonly BaseMessage[]): Record<string, ToolMessage[]> {
  const byCall: Record<string, ToolMessage[]> = {};
  for (const message of messages) {
    if (ToolMessage.isInstance(message)) (byCall[message.tool_call_id] ??= []).push(message);
  }
  return byCall;
}

function setup(overrides: Partial<CrashGraphOptions>): CrashGraphOptions {
  const { dir, remove } = makeTempDir('trellis-crash-');
  cleanups.push(remove);
  return { dir, idempotent: false, slowToolMs: 0, slowModelMs: 0, ...overrides };
}

describe('react graph after a crash', () => {
  it('does not re-run a non-idempotent tool cut off mid-call, and tells the model it was interrupted', async () => {
    const options = setup({ idempotent: false, slowToolMs: 5_000 });
    const files = crashFiles(options.dir);
    await runAndKill(options, () => existsSync(files.reportStarted));

    const { messages, model, journal } = await resume(options);
    expect(messages.map((message) => message.getType())).toEqual(['human', 'ai', 'tool', 'tool', 'ai']);
    const results = toolResults(messages);
    expect(Object.keys(results).sort()).toEqual(['call-report', 'call-status']);
    expect(results['call-status']).toHaveLength(1);
    expect(results['call-report']).toHaveLength(1);
    expect(results['call-report']![0]).toMatchObject({ name: 'write_report', status: 'error' });
    expect(results['call-report']![0]!.text).toMatch(/^Error TOOL_INTERRUPTED: write_report was interrupted in an earlier process; not re-run because it is not idempotent/);
    // The finished call was reused from the journal, the interrupted one reported, neither run again.
    expect(runCount(files.statusRuns)).toBe(1);
    expect(runCount(files.reportRuns)).toBe(1);
    expect(journal.lookup('crash-thread', 'call-report')).toMatchObject({ status: 'finished', result: { ok: false, error: { code: 'TOOL_INTERRUPTED' } } });
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]!.messages.map((message) => message.text).join('\n')).toContain('TOOL_INTERRUPTED');
  });

  it('re-runs an idempotent tool cut off mid-call, once', async () => {
    const options = setup({ idempotent: true, slowToolMs: 5_000 });
    const files = crashFiles(options.dir);
    await runAndKill(options, () => existsSync(files.reportStarted));

    const { messages } = await resume(options);
    const results = toolResults(messages);
    expect(results['call-report']).toHaveLength(1);
    expect(results['call-report']![0]).toMatchObject({ status: 'success', content: '{"written":"Week 12"}' });
    expect(results['call-status']).toHaveLength(1);
    expect(runCount(files.reportRuns)).toBe(2);
    expect(runCount(files.statusRuns)).toBe(1);
    expect(messages.at(-1)!.text).toContain('{"written":"Week 12"}');
  });

  it('resumes a run killed between steps (during a slow model turn) without running any tool again', async () => {
    const options = setup({ idempotent: false, slowModelMs: 5_000 });
    const files = crashFiles(options.dir);
    // The second model turn has started: it logs "<pid> 2" (two tool results seen) before its delay.
    await runAndKill(options, () => existsSync(files.modelTurns) && runCount(files.modelTurns) >= 2);
    expect(runCount(files.reportRuns)).toBe(1);

    const { messages, model } = await resume(options);
    expect(messages.map((message) => message.getType())).toEqual(['human', 'ai', 'tool', 'tool', 'ai']);
    const results = toolResults(messages);
    expect(results['call-report']).toHaveLength(1);
    expect(results['call-report']![0]).toMatchObject({ status: 'success', content: '{"written":"Week 12"}' });
    expect(runCount(files.reportRuns)).toBe(1);
    expect(runCount(files.statusRuns)).toBe(1);
    expect(model.calls).toHaveLength(1);
  });
});
