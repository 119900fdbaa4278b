// Control planes must not outlive the test run: a failed test, Ctrl-C or a plain exit all end them.
// Async stop() is the normal path; these hooks are the safety net when it is never reached.

export interface Stoppable {
  /** Graceful: SIGTERM, wait, remove folders. */
  stop(): Promise<void>;
  /** Synchronous last resort for 'exit': SIGKILL and remove folders. */
  stopNow(): void;
}

const live = new Set<Stoppable>();
let hooked = false;

function onSignal(signal: NodeJS.Signals): void {
  const stops = [...live].map((s) => s.stop().catch(() => s.stopNow()));
  void Promise.all(stops).finally(() => {
    // Re-raise with the default action so the exit status says which signal ended us.
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  });
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const s of live) s.stopNow();
  });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

export function track(s: Stoppable): void {
  hook();
  live.add(s);
}

export function untrack(s: Stoppable): void {
  live.delete(s);
}
