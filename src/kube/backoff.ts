// Exponential backoff with jitter for reconnecting to an API server: 0.8 s doubling to 30 s, with up to
// half of each step random, and back to the start once a connection has lasted two minutes.
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  resetAfterMs?: number;
  random?: () => number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #resetAfter: number;
  readonly #random: () => number;
  #next: number;

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 800;
    this.#max = options.maxMs ?? 30_000;
    this.#resetAfter = options.resetAfterMs ?? 120_000;
    this.#random = options.random ?? Math.random;
    this.#next = this.#initial;
  }

  /** The delay before the next attempt. */
  delay(): number {
    const step = this.#next;
    this.#next = Math.min(this.#max, this.#next * 2);
    return step / 2 + (this.#random() * step) / 2;
  }

  /** Tells how long the last connection lasted: a long one resets the steps. */
  lasted(ms: number): void {
    if (ms >= this.#resetAfter) this.#next = this.#initial;
  }

  reset(): void {
    this.#next = this.#initial;
  }
}
