/**
 * What a server process costs, read from Linux's /proc while it runs: its peak resident memory and its CPU time,
 * for the process and the processes it started (LangGraph's dev server is three node processes deep).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { round } from '../lib/stats.js';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux build Node supports). */
const TICKS_PER_SECOND = 100;

/** `pid` and every process below it, parents first. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = statFields(Number(entry))?.[1];
    if (parent === undefined) continue;
    const siblings = children.get(Number(parent)) ?? [];
    siblings.push(Number(entry));
    children.set(Number(parent), siblings);
  }
  const tree: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const next = pending.shift()!;
    tree.push(next);
    pending.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** The command line of a process, arguments joined by spaces; empty once it has gone. */
export function commandLine(pid: number): string {
  return (readProc(pid, 'cmdline') ?? '').split('\0').join(' ').trim();
}

/** Peak resident set size of one process so far (VmHWM), in MiB; 0 once it has gone. */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readProc(pid, 'status') ?? '');
  return match ? round(Number(match[1]) / 1024, 1) : 0;
}

/** CPU time (user + system) one process has used so far, in seconds; 0 once it has gone. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  // Fields after the command: state is [0], ppid [1], utime [11], stime [12].
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * For the main threads of a set of processes (where Node runs JavaScript): seconds spent running, and seconds spent
 * runnable but waiting for a core (/proc/<pid>/schedstat). Waiting is what other work on the machine took from them.
 */
export function schedulerSeconds(pids: readonly number[]): { running: number; waiting: number } {
  let running = 0;
  let waiting = 0;
  for (const pid of pids) {
    const [onCpu, onQueue] = (readProc(pid, 'schedstat') ?? '0 0').split(' ').map(Number);
    running += (onCpu ?? 0) / 1e9;
    waiting += (onQueue ?? 0) / 1e9;
  }
  return { running, waiting };
}

/** CPU seconds of a set of processes together. */
export function treeCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

/** The stat fields after `(command)`, which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  const stat = readProc(pid, 'stat');
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}
