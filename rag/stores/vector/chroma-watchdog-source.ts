/**
 * The source of the tiny Node program the Chroma sidecar runs as (`node --input-type=module -e <source> <cli> <args…>`).
 *
 * Why a wrapper at all: the chroma CLI (`chromadb/dist/cli.mjs`) calls its native binding's `cli()` on the main thread,
 * and that call serves HTTP until the process dies, so nothing written in JavaScript can run beside it there. The
 * wrapper moves that call into a worker thread and keeps its own main thread free to watch stdin: the parent holds the
 * only write end of that pipe, so EOF means the parent is gone, whether it exited, crashed or was SIGKILLed, and the
 * wrapper then SIGKILLs itself, taking the server thread with it. No `prctl`, no polling of the parent's pid.
 *
 * Kept as a string rather than a `.mjs` file so that it resolves the same under tsx, a build to `dist/` and a bundle.
 */
export const CHROMA_WATCHDOG_SOURCE = `
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const [cliPath, ...cliArgs] = process.argv.slice(1);
const die = () => process.kill(process.pid, 'SIGKILL');
process.stdin.on('end', die);
process.stdin.on('error', die);
process.stdin.resume();

// An eval worker inherits --input-type=module, so its source is ESM too. The CLI reads its arguments from argv.
const server = new Worker(
  'import { workerData } from "node:worker_threads";' +
    'process.argv = [process.argv[0], "chroma", ...workerData.args];' +
    'await import(workerData.cli);',
  { eval: true, workerData: { cli: pathToFileURL(cliPath).href, args: cliArgs } },
);
server.on('error', (error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(70);
});
server.on('exit', (code) => process.exit(code === 0 ? 0 : 71));
`;
