// The reconcile loop: source events → keyed queue → merge(key, facts of every cluster) → outputs.
// Level-triggered: a reconcile reads the stores, never an event's payload, so a burst of events for one
// service costs one merge. Nothing is merged before every source has synced once, so a cluster that has
// not been read yet is never taken for a cluster that exports nothing.
import type { Logger } from '../log.ts';
import type { ClusterSetIpAllocator } from '../mcs/clustersetip.ts';
import { type MergeResult, merge } from '../mcs/merge.ts';
import type { ClusterFacts, ClusterId, ServiceKey } from '../mcs/types.ts';
import type { ControllerMetrics } from '../metrics.ts';
import type { Source, SourceEvent } from '../sources/source.ts';
import { WorkQueue } from './queue.ts';

/** An output of the merged view: writers, the DNS zone, the mesh. Must be idempotent. */
export interface ViewSink {
  readonly name: string;
  apply(result: MergeResult, previous: MergeResult | undefined): Promise<void> | void;
}

export interface ControllerOptions {
  sources: Source[];
  allocator: ClusterSetIpAllocator;
  logger: Logger;
  metrics: ControllerMetrics;
  sinks?: ViewSink[];
  workers?: number;
  /** How long an unreachable cluster's endpoints stay in the merged view (its exports always stay). */
  gracePeriodMs?: number;
}

export class Controller {
  readonly sources: readonly Source[];
  readonly #allocator: ClusterSetIpAllocator;
  readonly #log: Logger;
  readonly #metrics: ControllerMetrics;
  readonly #sinks: ViewSink[];
  readonly #results = new Map<ServiceKey, MergeResult>();
  readonly #queue: WorkQueue<ServiceKey>;
  readonly #workers: number;
  readonly #gracePeriodMs: number;
  /** When each unreachable source went away: its endpoints are withdrawn once the grace period is over. */
  readonly #lostSince = new Map<Source, number>();
  readonly #graceTimers = new Map<Source, NodeJS.Timeout>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #started = false;
  #imports = 0;
  #conflicts = 0;
  #initialPassQueued = false;
  #running: Promise<void>[] = [];

  constructor(options: ControllerOptions) {
    this.sources = options.sources;
    this.#allocator = options.allocator;
    this.#log = options.logger.child({ component: 'controller' });
    this.#metrics = options.metrics;
    this.#sinks = options.sinks ?? [];
    this.#workers = options.workers ?? 4;
    this.#gracePeriodMs = options.gracePeriodMs ?? 60_000;
    const m = options.metrics;
    this.#queue = new WorkQueue<ServiceKey>({
      hooks: {
        onDepth: (d) => m.queueDepth.set(d),
        onAdd: () => m.queueAdds.inc(),
        onRetry: () => m.queueRetries.inc(),
        onLatency: (s) => m.queueLatency.observe(s),
      },
    });
  }

  addSink(sink: ViewSink): void {
    this.#sinks.push(sink);
  }

  /** Merged results, with or without a view, by key. */
  results(): ReadonlyMap<ServiceKey, MergeResult> {
    return this.#results;
  }

  /** Ready once every source has synced and the first full pass is done. */
  ready(): boolean {
    return this.#initialPassQueued && this.sources.every((s) => s.synced()) && this.#queue.idle();
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#checkClusterIds();
    for (const source of this.sources) {
      this.#unsubscribe.push(source.on((e) => this.#onEvent(source, e)));
    }
    for (let i = 0; i < this.#workers; i++) this.#running.push(this.#work());
    await Promise.all(this.sources.map((s) => s.start()));
    this.#maybeInitialPass();
  }

  async stop(): Promise<void> {
    for (const u of this.#unsubscribe.splice(0)) u();
    for (const t of this.#graceTimers.values()) clearTimeout(t);
    this.#queue.close();
    await Promise.all(this.#running);
    await Promise.all(this.sources.map((s) => s.stop()));
  }

  /** Resolves when the queue is empty and nothing is in flight: for tests and the render command. */
  async settled(): Promise<void> {
    if (this.#initialPassQueued && this.#queue.idle()) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  enqueue(key: ServiceKey): void {
    if (this.#initialPassQueued) this.#queue.add(key);
  }

  /** Merges every known key again: after a cluster returns, or when this replica becomes the leader. */
  resyncAll(): void {
    for (const s of this.sources) for (const key of s.keys()) this.enqueue(key);
    for (const key of this.#results.keys()) this.enqueue(key);
  }

  #onEvent(source: Source, event: SourceEvent): void {
    this.#metrics.sourceProblems.set({ cluster: source.name }, source.problems().length);
    switch (event.type) {
      case 'service':
        this.enqueue(event.key);
        break;
      case 'namespace':
        // Importers change for every service exported anywhere in that namespace.
        for (const s of this.sources) for (const key of s.exportedKeysIn(event.namespace)) this.enqueue(key);
        break;
      case 'clusterId':
        this.#checkClusterIds();
        for (const s of this.sources) for (const key of s.keys()) this.enqueue(key);
        break;
      case 'health':
        this.#onHealth(source, event.healthy);
        break;
      case 'sync':
        this.#metrics.sourceSynced.set({ cluster: source.name }, event.synced ? 1 : 0);
        this.#log.info(event.synced ? 'source synced' : 'source lost sync', { cluster: source.name });
        this.#maybeInitialPass();
        break;
    }
  }

  #maybeInitialPass(): void {
    if (this.#initialPassQueued || !this.#started || !this.sources.every((s) => s.synced())) return;
    this.#initialPassQueued = true;
    this.#relearnClusterSetIPs();
    const keys = new Set<ServiceKey>();
    for (const s of this.sources) for (const k of s.keys()) keys.add(k);
    for (const k of this.#results.keys()) keys.add(k);
    this.#log.info('every source has synced; merging', { services: keys.size, clusters: this.sources.length });
    for (const k of [...keys].sort()) this.#queue.add(k);
    this.#notifyIdle();
  }

  /** ClusterSetIPs already on ServiceImports are kept: a restart changes no IP. The first cluster (by id) wins a disagreement. */
  #relearnClusterSetIPs(): void {
    const sorted = [...this.sources].sort((a, b) => (a.clusterId() < b.clusterId() ? -1 : 1));
    let learned = 0;
    for (const s of sorted) {
      for (const [key, ips] of s.existingClusterSetIPs?.() ?? []) {
        for (const ip of ips) {
          const problem = this.#allocator.learn(key, ip);
          if (problem) this.#log.warn('existing ClusterSetIP not kept', { key, ip, cluster: s.name, problem });
          else learned++;
        }
      }
    }
    if (learned > 0) this.#log.info('re-learned ClusterSetIPs from existing ServiceImports', { ips: learned });
  }

  #onHealth(source: Source, healthy: boolean): void {
    clearTimeout(this.#graceTimers.get(source));
    this.#graceTimers.delete(source);
    if (healthy) {
      const wasWithdrawn = this.#withdrawn(source);
      this.#lostSince.delete(source);
      // Everything may have changed there, and writes to it were held back: merge every key again.
      this.resyncAll();
      if (wasWithdrawn) this.#log.info('cluster is back; its endpoints return', { cluster: source.name });
      return;
    }
    if (!source.synced()) return;
    this.#lostSince.set(source, Date.now());
    const timer = setTimeout(() => {
      this.#log.warn('cluster unreachable past the grace period; withdrawing its endpoints (its exports stay)', {
        cluster: source.name,
        gracePeriodMs: this.#gracePeriodMs,
      });
      for (const key of source.keys()) this.enqueue(key);
    }, this.#gracePeriodMs);
    timer.unref();
    this.#graceTimers.set(source, timer);
  }

  #withdrawn(source: Source): boolean {
    const since = this.#lostSince.get(source);
    return since !== undefined && Date.now() - since >= this.#gracePeriodMs;
  }

  #checkClusterIds(): void {
    const seen = new Map<ClusterId, string>();
    for (const s of this.sources) {
      const other = seen.get(s.clusterId());
      if (other)
        this.#log.error('two member clusters have the same cluster id; the second is ignored', {
          clusterId: s.clusterId(),
          clusters: [other, s.name],
        });
      else seen.set(s.clusterId(), s.name);
    }
  }

  /** The facts of every member cluster for one key, by cluster id (the first source wins a duplicate id). */
  factsFor(key: ServiceKey): Map<ClusterId, ClusterFacts> {
    const facts = new Map<ClusterId, ClusterFacts>();
    for (const s of this.sources) {
      if (facts.has(s.clusterId())) continue;
      const f = s.snapshot(key);
      facts.set(s.clusterId(), this.#withdrawn(s) ? { ...f, endpoints: [] } : f);
    }
    return facts;
  }

  async #work(): Promise<void> {
    for (;;) {
      const key = await this.#queue.next();
      if (key === undefined) return;
      try {
        await this.reconcile(key);
        this.#queue.forget(key);
      } catch (err) {
        this.#metrics.reconcileErrors.inc();
        this.#log.warn('reconcile failed; will retry', { key, err, attempt: this.#queue.failures(key) + 1 });
        this.#queue.addRateLimited(key);
      } finally {
        this.#queue.done(key);
        this.#notifyIdle();
      }
    }
  }

  async reconcile(key: ServiceKey): Promise<MergeResult> {
    const end = this.#metrics.reconcileDuration.startTimer();
    const previous = this.#results.get(key);
    const result = merge(key, this.factsFor(key), {
      families: this.#allocator.families(),
      ipsFor: (k, f) => this.#allocator.ipsFor(k, f),
    });
    if (!result.view && previous?.view) this.#allocator.release(key);
    if (result.exporters.length === 0 && !result.view) this.#results.delete(key);
    else this.#results.set(key, result);
    if (Boolean(previous?.view) !== Boolean(result.view)) {
      this.#log.info(result.view ? 'service imported' : 'service no longer imported', {
        key,
        type: result.view?.type,
        ips: result.view?.ips,
        exporters: result.exporters.filter((e) => e.valid).map((e) => e.cluster),
      });
    }
    // Every output gets the result even when another fails: a member cluster refusing a write must not hold
    // back DNS or the other clusters. The key is retried as a whole; outputs are idempotent.
    const failures: unknown[] = [];
    for (const sink of this.#sinks) {
      try {
        await sink.apply(result, previous);
      } catch (err) {
        failures.push(err);
      }
    }
    this.#imports += Number(Boolean(result.view)) - Number(Boolean(previous?.view));
    this.#conflicts += Number(hasConflict(result)) - Number(previous ? hasConflict(previous) : false);
    this.#metrics.imports.set(this.#imports);
    this.#metrics.conflicts.set(this.#conflicts);
    end();
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1)
      throw new AggregateError(failures, failures.map((f) => String((f as Error).message ?? f)).join('; '));
    return result;
  }

  #notifyIdle(): void {
    if (!this.#initialPassQueued || !this.#queue.idle()) return;
    for (const s of this.sources) this.#metrics.exports.set({ cluster: s.name }, s.exportCount());
    for (const w of this.#idleWaiters.splice(0)) w();
  }
}

function hasConflict(r: MergeResult): boolean {
  return r.exporters.some((e) => e.conditions.some((c) => c.type === 'Conflict' && c.status === 'True'));
}
