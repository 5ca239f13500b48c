import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, startCommand } from '../helpers/cli-process.js';
import { repoRoot } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// Each step starts a whole CLI process (a few seconds on a busy 2-core machine), so tests get a generous budget.
describe('trellis ask / agents from the command line', { timeout: 120_000 }, () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    temp = makeTempDir('trellis-ask-');
    // Position-independent turns (`match`): each CLI process starts a new scripted model mid-conversation.
    writeFileSync(
      path.join(temp.dir, 'script.json'),
      JSON.stringify([
        { match: 'what is 6\\*7', toolCalls: [{ name: 'calculator', args: { expression: '6*7' } }] },
        { match: '"result":42', text: 'The answer is 42.' },
        { match: 'fetch the status page', toolCalls: [{ name: 'http_fetch', args: { url: 'http://example.com/status' } }] },
        { match: 'reject', text: 'Understood, I will not fetch it.' },
      ]),
    );
    mkdirSync(path.join(temp.dir, 'docs'));
    writeFileSync(path.join(temp.dir, 'docs', 'leave.md'), '# Leave\n\nEmployees get 25 days of paid leave per year.\n');
  });
  afterAll(() => temp.remove());

  const env = (extra: Record<string, string> = {}) =>
    cleanEnv({
      TRELLIS_DATA_DIR: path.join(temp.dir, 'data'),
      TRELLIS_CACHE_DIR: path.join(temp.dir, 'cache'),
      TRELLIS_STORES__VECTOR__PROVIDER: 'none',
      TRELLIS_MODELS__RERANKER__PROVIDER: 'none',
      TRELLIS_CHAT_PROVIDER: 'scripted',
      TRELLIS_MODELS__CHAT__SCRIPT_PATH: path.join(temp.dir, 'script.json'),
      ...extra,
    });
  const run = async (args: string[], extra: Record<string, string> = {}) => {
    const command = startCommand('node', ['bin/trellis.js', ...args], env(extra));
    const { code } = await command.exited;
    return { code, output: command.output() };
  };

  it('streams an agent answer and shows its tool calls', async () => {
    const result = await run(['ask', 'what is 6*7?', '--agent', 'assistant']);
    expect(result.code).toBe(0);
    expect(result.output).toContain('→ calculator {"expression":"6*7"}');
    expect(result.output).toMatch(/← calculator: .*42/);
    expect(result.output).toContain('The answer is 42.');
    expect(result.output).toMatch(/thread: [0-9a-f-]{36}/);

    // A CLI run is a run like an API one: recorded and traced, so `trellis traces` shows it with its tool call.
    const threadId = result.output.match(/thread: ([0-9a-f-]{36})/)![1]!;
    const listed = await run(['traces', 'list', '--thread', threadId]);
    expect(listed.code).toBe(0);
    const traceId = listed.output.match(/\b([0-9a-f]{32})\b/)?.[1];
    expect(traceId, listed.output).toBeDefined();
    const shown = await run(['traces', 'show', traceId!]);
    expect(shown.output).toContain('run assistant');
    expect(shown.output).toContain('calculator');
  });

  it('pauses for approval, exits 3, and continues the thread when the person rejects', async () => {
    const first = await run(['ask', 'please fetch the status page', '--agent', 'assistant']);
    expect(first.code).toBe(3);
    expect(first.output).toContain('approval needed: http_fetch {"url":"http://example.com/status"}');
    const threadId = first.output.match(/thread: ([0-9a-f-]{36})/)![1]!;
    const second = await run(['ask', '--thread', threadId, '--reject', 'not allowed today']);
    expect(second.code).toBe(0);
    expect(second.output).toMatch(/← http_fetch \(error\): .*not allowed today/);
    expect(second.output).toContain('Understood, I will not fetch it.');
  });

  it('refuses another tenant\'s thread as if it did not exist', async () => {
    const first = await run(['ask', 'what is 6*7?', '--agent', 'assistant']);
    const threadId = first.output.match(/thread: ([0-9a-f-]{36})/)![1]!;
    const other = await run(['ask', 'hello', '--thread', threadId, '--tenant', 'globex']);
    expect(other.code).toBe(1);
    expect(other.output).toContain(`error THREAD_NOT_FOUND: thread ${threadId} not found`);
  });

  it('answers from a knowledge base with citations in retrieval-only mode', async () => {
    const noModel = { TRELLIS_CHAT_PROVIDER: 'none' };
    expect((await run(['ingest', path.join(temp.dir, 'docs'), '--kb', 'hr'], noModel)).code).toBe(0);
    const result = await run(['ask', 'how many days of paid leave', '--kb', 'hr'], noModel);
    expect(result.code).toBe(0);
    expect(result.output).toContain('answers with the cited passages only');
    expect(result.output).toContain('[1] leave.md');
    const agent = await run(['ask', 'hello', '--agent', 'assistant'], noModel);
    expect(agent.code).toBe(1);
    expect(agent.output).toContain('error MODEL_NOT_CONFIGURED');
  });

  it('chats in the terminal: a question, an approval prompt answered with no, and the end', async () => {
    const chat = spawn('node', ['bin/trellis.js', 'chat', '--agent', 'assistant'], { cwd: repoRoot, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    chat.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    chat.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (text: string) => {
      for (let waited = 0; !output.includes(text); waited += 50) {
        if (waited > 60_000) throw new Error(`no "${text}" in:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitFor('you> ');
    chat.stdin.write('what is 6*7?\n');
    await waitFor('The answer is 42.');
    chat.stdin.write('please fetch the status page\n');
    await waitFor('approve? [y]es / [n]o / [e]dit: ');
    chat.stdin.write('n\n');
    await waitFor('reason (optional): ');
    chat.stdin.write('policy says no\n');
    await waitFor('Understood, I will not fetch it.');
    chat.stdin.end('\n');
    const code = await new Promise((resolve) => chat.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('chats through input piped in all at once: no line is lost while a run answers, and a resume waits for its run', async () => {
    const chat = spawn('node', ['bin/trellis.js', 'chat', '--agent', 'assistant'], { cwd: repoRoot, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    chat.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    chat.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    chat.stdin.end('what is 6*7?\nplease fetch the status page\nn\npolicy says no\n');
    const code = await new Promise((resolve) => chat.once('exit', resolve));
    expect(output).toContain('The answer is 42.');
    expect(output).toContain('Understood, I will not fetch it.');
    expect(output).not.toContain('THREAD_BUSY');
    expect(code).toBe(0);
  });

  it('lists the agents and the tools', async () => {
    const agents = await run(['agents', 'list']);
    expect(agents.code).toBe(0);
    expect(agents.output).toMatch(/^assistant\t/m);
    expect(agents.output).toMatch(/^researcher\t/m);
    expect(agents.output).toMatch(/^supervisor\t.*hands off to: assistant, researcher/m);
    const tools = await run(['tools', 'list']);
    expect(tools.output).toMatch(/^http_fetch\t.*\(approval: always\)$/m);
  });
});
