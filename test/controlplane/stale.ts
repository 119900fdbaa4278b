import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const tempPrefix = 'clusterset-controlplane-';
const ownerFile = 'owner.pid';

/** Marks a clusterset folder as belonging to this process. */
export function markOwner(dir: string): void {
  writeFileSync(path.join(dir, ownerFile), `${process.pid}\n`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes clusterset folders whose owner process is gone. Only a SIGKILLed run leaves one (its child processes die
 * with it through PR_SET_PDEATHSIG, its folder does not); folders of live runs, ours or another's, are left alone.
 */
export function removeStaleFolders(tmp: string = os.tmpdir()): void {
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith(tempPrefix)) continue;
    const dir = path.join(tmp, name);
    let pid: number;
    try {
      pid = Number(readFileSync(path.join(dir, ownerFile), 'utf8'));
    } catch {
      continue; // still being created, or not ours to judge
    }
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) rmSync(dir, { recursive: true, force: true });
  }
}
