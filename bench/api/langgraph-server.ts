/**
 * The baseline: LangGraph's own server (`@langchain/langgraph-cli dev`, the in-memory Agent Protocol server its
 * docs start with) serving a one-node graph that answers "ok", the same shape as Trellis's `assistant` agent
 * answering through the scripted model. The graph is registered as `assistant`, so both servers take one body.
 *
 * It runs offline (checked in a network namespace with only loopback): it needs the project's node_modules (here a
 * link to the repo's), writes `.gitignore` and `.langgraph_api/` into the project folder (a temp dir), and runs as
 * three node processes (the CLI, `tsx watch`, the server) plus an esbuild service. Its latency floor is its queue:
 * runs/wait enqueues the run, and idle workers poll for runs with a random sleep of up to a second between polls
 * (langgraph-api's dist/queue.mjs), about 0.5 s on average whatever the graph does.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commandLine } from './process-stats.js';
import { freeLoopbackPort, spawnServer, treeOf, waitForOk, type ServerUnderTest } from './server-process.js';

const ECHO_GRAPH = `import { AIMessage } from '@langchain/core/messages';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';

export const graph = new StateGraph(MessagesAnnotation)
  .addNode('model', () => ({ messages: [new AIMessage('ok')] }))
  .addEdge(START, 'model')
  .addEdge('model', END)
  .compile();
`;

export async function startLangGraphServer(options: { repoRoot: string; workDir: string; env: NodeJS.ProcessEnv }): Promise<ServerUnderTest> {
  const projectDir = path.join(options.workDir, 'langgraph-project');
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(path.join(projectDir, 'echo-graph.mjs'), ECHO_GRAPH);
  writeFileSync(path.join(projectDir, 'langgraph.json'), JSON.stringify({ node_version: '20', graphs: { assistant: './echo-graph.mjs:graph' }, dependencies: ['.'] }));
  // The graph imports @langchain/langgraph as a user's project would: from its own node_modules, here the repo's.
  symlinkSync(path.join(options.repoRoot, 'node_modules'), path.join(projectDir, 'node_modules'), 'dir');
  const port = await freeLoopbackPort();
  const server = await spawnServer({
    command: process.execPath,
    args: [path.join(options.repoRoot, 'node_modules', '.bin', 'langgraphjs'), 'dev', '--port', String(port), '--host', '127.0.0.1', '--no-browser', '--config', projectDir],
    cwd: projectDir,
    env: { ...options.env, LANGGRAPH_CLI_NO_ANALYTICS: '1', BROWSER: 'none' },
    ready: /Server running at/,
    timeoutMs: 120_000,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${url}/ok`, 30_000);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const tree = treeOf(server.child);
  // The CLI runs `tsx watch`, which runs the server: the deepest process on the API's entrypoint answers requests.
  const servingPid = tree().filter((pid) => commandLine(pid).includes('langgraph-api/dist/cli/entrypoint.mjs')).at(-1);
  if (servingPid === undefined) {
    await server.stop();
    throw new Error(`no LangGraph server process under the CLI:\n${server.output()}`);
  }
  return { name: 'langgraph', url, headers: {}, servingPid, tree, output: server.output, stop: server.stop };
}
