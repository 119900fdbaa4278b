// A long-lived `nft -j -i` process for small transactions. nft applies each input line as one transaction, so a
// delta sent as one line is as atomic as `nft -f`, without the ~10 ms of starting a process each time. After the
// delta line the session lists the generation set (which the delta swaps) and then the tables (a line that always
// prints): the generation read back tells whether the transaction was applied, independent of stderr timing.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { NftError } from './nft.ts';

interface Pending {
  lines: string[];
  stderr: string;
  resolve(result: { generation: number | undefined; stderr: string }): void;
  reject(error: Error): void;
}

export class NftSession {
  private readonly command: [string, string[]];
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending: Pending[] = [];
  private partial = '';

  constructor(command: [string, string[]]) {
    this.command = command;
  }

  /** Apply `text` (statements, one per line) as one transaction; resolves with the generation read back after it. */
  async transact(text: string, family: string, table: string): Promise<number | undefined> {
    const line = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .join('; ');
    const child = this.start();
    const result = await new Promise<{ generation: number | undefined; stderr: string }>((resolve, reject) => {
      this.pending.push({ lines: [], stderr: '', resolve, reject });
      child.stdin.write(`${line}\nlist set ${family} ${table} generation\nlist tables\n`);
    });
    if (result.stderr.trim() !== '') this.lastError = result.stderr.trim();
    return result.generation;
  }

  /** The error text nft printed for the last transaction that printed one. */
  lastError = '';

  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child !== undefined && this.child.exitCode === null) return this.child;
    const [file, args] = this.command;
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.partial = '';
    child.stdout.on('data', (d: Buffer) => this.onStdout(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => {
      const head = this.pending[0];
      if (head !== undefined) head.stderr += d.toString('utf8');
    });
    const fail = (reason: string) => {
      if (this.child === child) this.child = undefined;
      for (const p of this.pending.splice(0)) p.reject(new NftError(`nft session ${reason}`, p.stderr, null));
    };
    child.on('error', (e) => fail(`cannot start: ${e.message}`));
    child.on('exit', (code) => fail(`exited ${code}`));
    child.stdin.on('error', () => {});
    return child;
  }

  private onStdout(chunk: string): void {
    this.partial += chunk;
    for (;;) {
      const nl = this.partial.indexOf('\n');
      if (nl < 0) return;
      const line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      if (line.trim() === '') continue;
      const head = this.pending[0];
      if (head === undefined) continue;
      head.lines.push(line);
      const generation = generationOf(line);
      if (generation === 'sentinel') {
        this.pending.shift();
        let found: number | undefined;
        for (const l of head.lines) {
          const g = generationOf(l);
          if (typeof g === 'number') found = g;
        }
        head.resolve({ generation: found, stderr: head.stderr });
      }
    }
  }
}

/** A listing of the generation set gives its element; the `list tables` listing is the end-of-request sentinel. */
function generationOf(line: string): number | 'sentinel' | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  const items = (parsed as { nftables?: unknown }).nftables;
  if (!Array.isArray(items)) return undefined;
  for (const item of items as Record<string, unknown>[]) {
    const set = item.set as { name?: unknown; elem?: unknown } | undefined;
    if (set !== undefined) {
      return Array.isArray(set.elem) && typeof set.elem[0] === 'number' ? set.elem[0] : undefined;
    }
  }
  return 'sentinel';
}
