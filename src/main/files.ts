import { renameSync, rmSync, writeFileSync } from 'node:fs';

/** Writes a file whole or not at all (temp file + rename): a crash never leaves half a checkpoint or export. */
export function atomicWrite(path: string, bytes: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}
