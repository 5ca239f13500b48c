import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ChromaSidecar } from './chroma-sidecar.js';

/** Written into Chroma's data dir by the process that owns its sidecar, removed when that sidecar stops. */
const RECORD_FILE = 'trellis-sidecar.json';
const HEARTBEAT_TIMEOUT_MS = 1_000;

interface SidecarRecord {
  readonly url: string;
  /** The Chroma child's pid. */
  readonly pid: number;
  /** The Trellis process that started it and will stop it. */
  readonly ownerPid: number;
}

/**
 * Two Chroma servers must never share one persist directory: each assumes it alone writes its SQLite and index
 * files. So a second Trellis process on the same data dir (`trellis ingest` while `trellis serve` runs) uses the
 * sidecar the first one started, found through a record file, instead of starting its own. A record whose process
 * is gone, or whose server does not answer, is stale and ignored.
 */
export async function findSharedSidecar(dataDir: string): Promise<ChromaSidecar | undefined> {
  const record = readRecord(dataDir);
  if (!record || record.ownerPid === process.pid || !isAlive(record.pid) || !isAlive(record.ownerPid)) return undefined;
  const answers = await fetch(`${record.url}/api/v2/heartbeat`, { signal: AbortSignal.timeout(HEARTBEAT_TIMEOUT_MS) }).then(
    (response) => response.ok,
    () => false,
  );
  if (!answers) return undefined;
  const { hostname, port } = new URL(record.url);
  // Not ours to stop: its owner stops it, and removes the record, when it shuts down.
  return { url: record.url, host: hostname, port: Number(port), pid: record.pid, startMs: 0, stop: async () => undefined };
}

/** Records a sidecar this process started; the returned function removes the record (if it is still this one's). */
export function recordSidecar(dataDir: string, sidecar: ChromaSidecar): () => void {
  const file = path.join(dataDir, RECORD_FILE);
  const record: SidecarRecord = { url: sidecar.url, pid: sidecar.pid, ownerPid: process.pid };
  writeFileSync(file, JSON.stringify(record), { mode: 0o600 });
  return () => {
    if (readRecord(dataDir)?.pid === sidecar.pid) rmSync(file, { force: true });
  };
}

/** True while the process exists (EPERM: it exists, owned by another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readRecord(dataDir: string): SidecarRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path.join(dataDir, RECORD_FILE), 'utf8')) as Partial<SidecarRecord>;
    const valid = typeof parsed.url === 'string' && Number.isInteger(parsed.pid) && Number.isInteger(parsed.ownerPid);
    return valid ? (parsed as SidecarRecord) : undefined;
  } catch {
    return undefined;
  }
}
