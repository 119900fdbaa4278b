// The only code that runs `nft`. Text in on stdin (one transaction per call: nft applies a file atomically),
// JSON out for reads. Optionally inside a named network namespace, which is how the tests and the bench use it.
import { spawn } from 'node:child_process';

export class NftError extends Error {
  override readonly name = 'NftError';
  readonly stderr: string;
  readonly exitCode: number | null;
  constructor(message: string, stderr: string, exitCode: number | null) {
    super(message);
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

export interface NftRunner {
  /** Apply `text` as one transaction (`nft -f -`); rejects with NftError and changes nothing on any error. */
  apply(text: string): Promise<void>;
  /** Run nft with arguments, e.g. ['-j', 'list', 'table', 'inet', 'x'], and return stdout. */
  run(args: string[]): Promise<string>;
}

export interface NftRunnerOptions {
  /** Path of the nft binary; default `nft` from PATH. */
  binary?: string;
  /** Run inside this named network namespace (`ip netns add` name). nsenter, not `ip netns exec`: the latter also
   * remounts /sys, which costs ~25 ms a call and would swamp a delta's own time. */
  netns?: string;
}

export function nftRunner(options: NftRunnerOptions = {}): NftRunner {
  const binary = options.binary ?? 'nft';
  const command = (args: string[]): [string, string[]] =>
    options.netns === undefined ? [binary, args] : ['nsenter', [`--net=/run/netns/${options.netns}`, binary, ...args]];
  // One process per transaction. A long-lived `nft -i` would save the process start (~5–15 ms), but measured with
  // nft 1.0.6 it refreshes its cache with every set element before each command: ~0.5 s at 10k services.
  return {
    async apply(text) {
      await exec(command(['-f', '-']), text);
    },
    run(args) {
      return exec(command(args), undefined);
    },
  };
}

function exec([file, args]: [string, string[]], stdin: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new NftError(`cannot run ${file}: ${e.message}`, '', null)));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new NftError(`${file} ${args.join(' ')} exited ${code}: ${firstLines(stderr)}`, stderr, code));
    });
    // EPIPE when nft exits early on a bad command line; the close handler reports the real error.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? '');
  });
}

function firstLines(text: string): string {
  return text.split('\n').slice(0, 6).join(' | ').slice(0, 2000);
}
