// A reflector keeps a local copy of one resource of one cluster: a paginated list, then a watch from the
// list's resourceVersion with bookmarks, resumed from the last version seen after every close. 410 Gone
// means the version is too old: list again. Every other error is retried with backoff; nothing stops it but
// stop(). Each (re)list is handed over whole (`replace`), so a store swaps its content at once.
import type { Logger } from '../log.ts';
import type { KubeObject } from '../mcs/kube-objects.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { KubeApiError, type KubeClient } from './client.ts';
import { apiVersionOf, collectionPath, type Resource } from './resources.ts';

export type ReflectorEvent =
  | { type: 'replace'; objects: KubeObject[] }
  | { type: 'upsert'; object: KubeObject }
  | { type: 'delete'; object: KubeObject };

export interface ReflectorOptions {
  client: KubeClient;
  resource: Resource;
  labelSelector?: string;
  logger: Logger;
  onEvent(event: ReflectorEvent): void;
  /** Called when the reflector becomes healthy (listed, or watching) or unhealthy (an error, retrying). */
  onHealth?(healthy: boolean, error?: Error): void;
  pageSize?: number;
  /** Server-side watch timeout, seconds; a random spread is added so watches do not all end together. */
  watchTimeoutSeconds?: number;
  /** A watch with no event or bookmark for this long is dropped and resumed. */
  idleMs?: number;
  backoff?: BackoffOptions;
}

class Gone extends Error {}

interface ListResponse {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

interface WatchEvent {
  type?: string;
  object?: KubeObject & { code?: number; message?: string };
}

export class Reflector {
  readonly #o: ReflectorOptions;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #abort = new AbortController();
  #resourceVersion: string | undefined;
  #synced = false;
  #healthy = false;
  #loop: Promise<void> | undefined;
  /** How many lists and watches were started: for tests and metrics. */
  readonly stats = { lists: 0, watches: 0, gone: 0, errors: 0 };

  constructor(options: ReflectorOptions) {
    this.#o = options;
    this.#log = options.logger.child({ resource: options.resource.plural });
    this.#backoff = new Backoff(options.backoff);
  }

  get synced(): boolean {
    return this.#synced;
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const started = Date.now();
      try {
        if (this.#resourceVersion === undefined) await this.#list();
        await this.#watch();
        this.#backoff.lasted(Date.now() - started);
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof Gone) {
          // Too old to resume: relist at once (a relist is the remedy, not a fault of the server).
          this.stats.gone++;
          this.#log.info('watch expired (410 Gone); listing again', { resourceVersion: this.#resourceVersion });
          this.#resourceVersion = undefined;
          continue;
        }
        this.stats.errors++;
        this.#backoff.lasted(Date.now() - started);
        const delay = this.#backoff.delay();
        this.#setHealth(false, err as Error);
        this.#log.warn('list/watch failed; retrying', { err, retryInMs: Math.round(delay) });
        await sleep(delay, signal);
      }
    }
  }

  async #list(): Promise<void> {
    this.stats.lists++;
    const objects: KubeObject[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    const { resource } = this.#o;
    do {
      const page = await this.#o.client
        .request<ListResponse>('GET', collectionPath(resource), {
          query: { limit: this.#o.pageSize ?? 500, continue: cont, labelSelector: this.#o.labelSelector },
          signal: this.#abort.signal,
        })
        .catch((err: unknown) => {
          // A continue token that expired mid-list: start the list over.
          if (err instanceof KubeApiError && err.status === 410) throw new Gone();
          throw err;
        });
      for (const item of page.items ?? []) {
        // Items of a list carry no kind or apiVersion: put them back, the store reads them.
        objects.push({ ...item, kind: resource.kind, apiVersion: apiVersionOf(resource) });
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion;
    } while (cont);
    this.#resourceVersion = rv;
    // Synced before the event, so that a listener checking every reflector sees this one as synced.
    this.#synced = true;
    this.#o.onEvent({ type: 'replace', objects });
    this.#setHealth(true);
  }

  async #watch(): Promise<void> {
    this.stats.watches++;
    const base = this.#o.watchTimeoutSeconds ?? 290;
    const timeout = base + Math.floor(Math.random() * Math.min(60, base / 5));
    await this.#o.client.stream(
      collectionPath(this.#o.resource),
      {
        watch: true,
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: timeout,
        labelSelector: this.#o.labelSelector,
      },
      (raw) => this.#onWatchEvent(raw as WatchEvent),
      this.#abort.signal,
      this.#o.idleMs ?? (timeout + 30) * 1000,
    );
  }

  #onWatchEvent(event: WatchEvent): void {
    const obj = event.object;
    if (event.type === 'ERROR') {
      if (obj?.code === 410) throw new Gone();
      throw new KubeApiError(
        this.#o.client.cluster,
        obj?.code ?? 0,
        'WatchError',
        `watch error: ${obj?.message ?? 'unknown'}`,
      );
    }
    if (!obj) return;
    const rv = obj.metadata?.resourceVersion;
    if (typeof rv === 'string') this.#resourceVersion = rv;
    this.#setHealth(true);
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.#o.onEvent({ type: 'upsert', object: obj });
        break;
      case 'DELETED':
        this.#o.onEvent({ type: 'delete', object: obj });
        break;
      default:
        break; // BOOKMARK: only the resourceVersion matters
    }
  }

  #setHealth(healthy: boolean, error?: Error): void {
    if (this.#healthy === healthy) return;
    this.#healthy = healthy;
    this.#o.onHealth?.(healthy, error);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
