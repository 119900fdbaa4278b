// A keyed work queue with client-go's guarantees: a key waiting is queued once however often it is added
// (stingy), a key being processed is never handed out again until done (one at a time per key), and a key
// added while processing is processed again afterwards. Failures back off per key, exponentially with
// jitter; an overall token bucket bounds the retry rate.

export interface QueueHooks<K> {
  onDepth?(depth: number): void;
  onAdd?(key: K): void;
  onRetry?(key: K): void;
  /** Seconds from the first add to the start of processing. */
  onLatency?(seconds: number): void;
}

export interface QueueOptions<K> {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall retry budget: tokens per second and burst. */
  retryRate?: number;
  retryBurst?: number;
  hooks?: QueueHooks<K>;
  random?: () => number;
  now?: () => number;
}

export class WorkQueue<K> {
  readonly #order: K[] = [];
  #head = 0;
  readonly #dirty = new Map<K, number>();
  readonly #processing = new Set<K>();
  readonly #failures = new Map<K, number>();
  readonly #timers = new Map<K, NodeJS.Timeout>();
  readonly #waiters: ((k: K | undefined) => void)[] = [];
  readonly #opts: Required<Omit<QueueOptions<K>, 'hooks'>> & { hooks: QueueHooks<K> };
  #tokens: number;
  #lastRefill: number;
  #closed = false;

  constructor(options: QueueOptions<K> = {}) {
    this.#opts = {
      baseDelayMs: options.baseDelayMs ?? 50,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      retryRate: options.retryRate ?? 10,
      retryBurst: options.retryBurst ?? 100,
      hooks: options.hooks ?? {},
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    };
    this.#tokens = this.#opts.retryBurst;
    this.#lastRefill = this.#opts.now();
  }

  get depth(): number {
    return this.#order.length - this.#head;
  }

  add(key: K): void {
    if (this.#closed) return;
    this.#opts.hooks.onAdd?.(key);
    if (this.#dirty.has(key)) return;
    this.#dirty.set(key, this.#opts.now());
    if (this.#processing.has(key)) return; // re-queued by done()
    this.#push(key);
  }

  /** Adds after this key's backoff: for failed work. */
  addRateLimited(key: K): void {
    if (this.#closed) return;
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    this.#opts.hooks.onRetry?.(key);
    const exp = Math.min(this.#opts.maxDelayMs, this.#opts.baseDelayMs * 2 ** Math.min(failures - 1, 30));
    // Full jitter around the exponential step, so failing keys of one outage do not retry in lockstep.
    const perKey = exp / 2 + (this.#opts.random() * exp) / 2;
    const delay = Math.max(perKey, this.#bucketDelay());
    this.addAfter(key, delay);
  }

  addAfter(key: K, delayMs: number): void {
    if (this.#closed || this.#timers.has(key)) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const t = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    t.unref?.();
    this.#timers.set(key, t);
  }

  /** Clears a key's failure count: call after it succeeded. */
  forget(key: K): void {
    this.#failures.delete(key);
  }

  failures(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The next key to process, waiting if none; undefined once the queue is closed. */
  async next(): Promise<K | undefined> {
    const k = this.#take();
    if (k !== undefined || this.#closed) return k;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks a key processed; if it was added meanwhile it is queued again. */
  done(key: K): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) this.#push(key);
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    for (const w of this.#waiters.splice(0)) w(undefined);
  }

  /** True when nothing is queued, processing or waiting for a retry. */
  idle(): boolean {
    return this.depth === 0 && this.#processing.size === 0 && this.#timers.size === 0;
  }

  #push(key: K): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#start(key);
      waiter(key);
      return;
    }
    this.#order.push(key);
    this.#opts.hooks.onDepth?.(this.depth);
  }

  #take(): K | undefined {
    if (this.#head >= this.#order.length) return undefined;
    const key = this.#order[this.#head++] as K;
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order.splice(0, this.#head);
      this.#head = 0;
    }
    this.#opts.hooks.onDepth?.(this.depth);
    this.#start(key);
    return key;
  }

  #start(key: K): void {
    const added = this.#dirty.get(key);
    this.#dirty.delete(key);
    this.#processing.add(key);
    if (added !== undefined) this.#opts.hooks.onLatency?.((this.#opts.now() - added) / 1000);
  }

  #bucketDelay(): number {
    const now = this.#opts.now();
    this.#tokens = Math.min(
      this.#opts.retryBurst,
      this.#tokens + ((now - this.#lastRefill) / 1000) * this.#opts.retryRate,
    );
    this.#lastRefill = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.#opts.retryRate) * 1000;
  }
}
