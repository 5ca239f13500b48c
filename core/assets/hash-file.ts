import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Feeds a file's bytes into `hash` and returns how many there were. */
export async function hashInto(hash: Hash, path: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
  }
  return bytes;
}

/** SHA-256 (lower-case hex) and size of a file, read as a stream so large model files never sit in memory. */
export async function hashFile(path: string): Promise<{ readonly sha256: string; readonly bytes: number }> {
  const hash = createHash('sha256');
  const bytes = await hashInto(hash, path);
  return { sha256: hash.digest('hex'), bytes };
}
