import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, openSync, readFileSync } from 'node:fs';
import { ControlPlaneError } from './errors.ts';

// util-linux setpriv sets PR_SET_PDEATHSIG: if the Node process dies without running its exit handlers
// (SIGKILL, a crashed worker), the kernel still kills etcd and kube-apiserver instead of leaving orphans.
const setpriv = ((): string | undefined => {
  try {
    accessSync('/usr/bin/setpriv');
    return '/usr/bin/setpriv';
  } catch {
    return undefined;
  }
})();

/** Last lines of a log file, for error messages. */
export function logTail(file: string, lines = 30): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One child process of the control plane, its output in a log file. */
export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #exitCode: number | null | undefined;

  constructor(name: string, binary: string, args: readonly string[], logFile: string) {
    this.name = name;
    this.logFile = logFile;
    const fd = openSync(logFile, 'a');
    try {
      const [command, argv] =
        setpriv === undefined ? [binary, [...args]] : [setpriv, ['--pdeathsig', 'KILL', '--', binary, ...args]];
      this.#child = spawn(command, argv, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd); // the child holds its own copy
    }
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exitCode = code ?? (signal === null ? null : -1);
        resolve(this.#exitCode);
      });
      this.#child.once('error', () => {
        this.#exitCode = -1;
        resolve(-1);
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /**
   * Polls `ready` every 100 ms until it resolves true. Fails with the tail of the log when the process exits first
   * ('port-in-use' when the log says so) or when `timeoutMs` passes ('not-ready').
   */
  async waitUntil(ready: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        const tail = logTail(this.logFile);
        const reason = /address already in use|bind: address/i.test(tail) ? 'port-in-use' : 'exited';
        throw new ControlPlaneError(
          reason,
          `${this.name} exited (code ${this.#exitCode}) before ${what}. Last lines of ${this.logFile}:\n${tail}`,
        );
      }
      if (await ready().catch(() => false)) return;
      if (Date.now() > deadline) {
        throw new ControlPlaneError(
          'not-ready',
          `${this.name} was not ${what} after ${Math.round(timeoutMs / 1000)} s. Last lines of ${this.logFile}:\n${logTail(this.logFile)}`,
        );
      }
      await sleep(100);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  /** For process 'exit' handlers, where nothing asynchronous runs any more. */
  killNow(): void {
    if (this.running) this.#child.kill('SIGKILL');
  }
}
