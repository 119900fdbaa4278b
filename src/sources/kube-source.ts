// A member cluster behind a real API server: one reflector per resource feeds the cluster store (what the
// cluster says) and the observed objects (what we wrote there). A cluster that cannot be reached keeps its
// last known facts: losing a cluster is never read as "it exports nothing".
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, KubeClient } from '../kube/client.ts';
import { Reflector, type ReflectorEvent } from '../kube/reflector.ts';
import { atVersion, RESOURCES, type Resource } from '../kube/resources.ts';
import type { Logger } from '../log.ts';
import type { KubeObject } from '../mcs/kube-objects.ts';
import { InputError } from '../mcs/names.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../mcs/ownership.ts';
import type { ClusterFacts, ClusterId, ServiceKey } from '../mcs/types.ts';
import { SERVICE_ENTRY_RESOURCE } from '../mesh/serviceentry.ts';
import { ClusterStore, type StoreChanges, type WatchedKind } from './cluster-store.ts';
import { SourceListeners } from './listeners.ts';
import { isOurMcsSlice, ObservedObjects } from './observed.ts';
import type { InputProblem, Source, SourceEvent } from './source.ts';

export interface KubeSourceOptions {
  name: string;
  kubeConfig: KubeConfig;
  logger: Logger;
  /** For tests: faster retries. */
  backoff?: { initialMs?: number; maxMs?: number };
  watchTimeoutSeconds?: number;
  /** Watch our Istio ServiceEntries (networking.istio.io/v1) when the cluster serves that CRD. */
  serviceEntries?: boolean;
}

/** Istio's system namespace, whose `topology.istio.io/network` label names the cluster's network. */
const ISTIO_SYSTEM_NAMESPACE = 'istio-system';
const ISTIO_NETWORK_LABEL = 'topology.istio.io/network';

const MAX_PROBLEMS = 200;

export class KubeSource implements Source {
  readonly name: string;
  readonly client: KubeClient;
  readonly observed = new ObservedObjects();
  readonly #store = new ClusterStore();
  readonly #log: Logger;
  readonly #opts: KubeSourceOptions;
  readonly #listeners = new SourceListeners();
  readonly #reflectors: Reflector[] = [];
  readonly #problems = new Map<string, InputProblem>();
  #synced = false;
  #healthy = false;
  #stopped = false;
  #booting: Promise<void> = Promise.resolve();
  #clusterId: ClusterId;
  #serviceEntriesServed = false;
  #meshNetwork: string | undefined;
  /** The ServiceExport version this cluster serves (v1beta1, or v1alpha1 on older CRDs). */
  exportResource: Resource = RESOURCES.ServiceExport;

  constructor(options: KubeSourceOptions) {
    this.name = options.name;
    this.#clusterId = options.name;
    this.#opts = options;
    this.#log = options.logger.child({ cluster: options.name });
    this.client = new KubeClient(options.name, options.kubeConfig);
  }

  clusterId(): ClusterId {
    return this.#clusterId;
  }
  synced(): boolean {
    return this.#synced;
  }
  healthy(): boolean {
    return this.#healthy;
  }
  on(listener: (e: SourceEvent) => void): () => void {
    return this.#listeners.add(listener);
  }
  snapshot(key: ServiceKey): ClusterFacts {
    return this.#store.snapshot(key);
  }
  keys(): Iterable<ServiceKey> {
    return new Set([...this.#store.keys(), ...this.observed.keys()]);
  }
  exportedKeysIn(namespace: string): Iterable<ServiceKey> {
    return this.#store.exportedKeysIn(namespace);
  }
  namespaceExists(namespace: string): boolean {
    return this.#store.namespaceExists(namespace);
  }
  exportCount(): number {
    return this.#store.exportCount;
  }
  /** Whether our ServiceEntries are watched here (asked for, and the Istio CRD is served). */
  serviceEntriesServed(): boolean {
    return this.#serviceEntriesServed;
  }
  /** The `topology.istio.io/network` label of the istio-system namespace, when there is one. */
  meshNetwork(): string | undefined {
    return this.#meshNetwork;
  }
  problems(): readonly InputProblem[] {
    return [...this.#problems.values()];
  }

  *existingClusterSetIPs(): Iterable<[ServiceKey, string[]]> {
    for (const [key, obj] of this.observed.imports) {
      if (
        obj.metadata?.labels &&
        (obj.metadata.labels as Record<string, string>)[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE
      )
        continue;
      const spec = obj.spec as { ips?: unknown } | undefined;
      if (Array.isArray(spec?.ips)) yield [key, spec.ips.filter((ip): ip is string => typeof ip === 'string')];
    }
  }

  /** Returns at once: discovery and the reflectors run in the background, so one unreachable cluster at
   * start-up does not hold up the others (the controller waits for synced() anyway). */
  async start(): Promise<void> {
    this.#booting = this.#boot().catch((err) => this.#log.error('starting the cluster source failed', { err }));
  }

  async #boot(): Promise<void> {
    this.exportResource = (await this.#servedVersion(RESOURCES.ServiceExport, ['v1beta1', 'v1alpha1']))!;
    if (this.#stopped) return;
    const property = await this.#servedVersion(RESOURCES.ClusterProperty, ['v1beta1', 'v1alpha1'], true);
    const watched: [Resource, string | undefined][] = [
      [RESOURCES.Namespace, undefined],
      [RESOURCES.Service, undefined],
      [RESOURCES.EndpointSlice, undefined],
      [this.exportResource, undefined],
      [RESOURCES.ServiceImport, `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`],
    ];
    if (this.#stopped) return;
    if (property) watched.push([property, undefined]);
    else this.#log.info('no ClusterProperty CRD (about.k8s.io) in this cluster: the cluster id is its configured name');
    if (this.#opts.serviceEntries) {
      // Checked once, like ClusterProperty: a CRD installed later is picked up on restart.
      const se = await this.#servedVersion(SERVICE_ENTRY_RESOURCE, ['v1'], true);
      if (this.#stopped) return;
      if (se) {
        this.#serviceEntriesServed = true;
        watched.push([se, `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`]);
      } else
        this.#log.info('no Istio ServiceEntry CRD (networking.istio.io/v1) in this cluster: no ServiceEntries here');
    }
    for (const [resource, labelSelector] of watched) {
      const r = new Reflector({
        client: this.client,
        resource,
        labelSelector,
        logger: this.#log,
        onEvent: (e) => this.#onReflectorEvent(resource.kind, e),
        onHealth: () => this.#updateHealth(),
        backoff: this.#opts.backoff,
        watchTimeoutSeconds: this.#opts.watchTimeoutSeconds,
      });
      this.#reflectors.push(r);
      r.start();
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#booting;
    await Promise.all(this.#reflectors.map((r) => r.stop()));
  }

  /** Reflector statistics by resource: for tests and the debug view. */
  reflectorStats(): Record<string, Reflector['stats']> {
    return Object.fromEntries(this.#reflectors.map((r, i) => [String(i), r.stats]));
  }

  /**
   * The first version of a resource the cluster serves. Retries while the cluster is unreachable;
   * `optional` resources that are not served at all return undefined.
   */
  async #servedVersion(resource: Resource, versions: string[], optional = false): Promise<Resource | undefined> {
    for (let attempt = 0; !this.#stopped; attempt++) {
      try {
        for (const version of versions) {
          const r = atVersion(resource, version);
          try {
            await this.client.request('GET', `/apis/${r.group}/${r.version}`, { timeoutMs: 10_000 });
            return r;
          } catch (err) {
            if (!(err instanceof KubeApiError) || err.status !== 404) throw err;
          }
        }
        if (optional) return undefined;
        this.#log.error(
          `the ${resource.kind} CRD (${resource.group}) is not installed; install crds/ and it will be picked up`,
        );
      } catch (err) {
        this.#log.warn('cannot reach the API server yet', { err, attempt });
      }
      await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** Math.min(attempt, 6))));
    }
    return undefined;
  }

  #onReflectorEvent(kind: string, event: ReflectorEvent): void {
    const changes: StoreChanges = ClusterStore.emptyChanges();
    const touched = new Set<ServiceKey>();
    const toStore = (o: KubeObject) =>
      !(kind === 'EndpointSlice' && isOurMcsSlice(o)) && kind !== 'ServiceImport' && kind !== 'ServiceEntry';
    const toObserved = (o: KubeObject) =>
      kind === 'ServiceImport' ||
      kind === 'ServiceExport' ||
      kind === 'ServiceEntry' ||
      (kind === 'EndpointSlice' && isOurMcsSlice(o));
    if (kind === 'Namespace') this.#noteMeshNetwork(event);
    if (event.type === 'replace') {
      if (kind !== 'ServiceImport' && kind !== 'ServiceEntry') {
        const { errors } = this.#store.replace(kind as WatchedKind, event.objects.filter(toStore), changes);
        this.#clearProblems(kind);
        for (const { obj, error } of errors) this.#problem(kind, obj, error);
      }
      if (kind === 'ServiceImport' || kind === 'ServiceExport' || kind === 'EndpointSlice' || kind === 'ServiceEntry') {
        for (const k of this.observed.replace(kind, event.objects.filter(toObserved))) touched.add(k);
      }
    } else {
      const obj = event.object;
      if (toStore(obj)) {
        try {
          if (event.type === 'upsert') this.#store.apply(obj, changes);
          else this.#store.delete(obj, changes);
          this.#problems.delete(problemId(kind, obj));
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          this.#problem(kind, obj, err);
        }
      }
      if (toObserved(obj)) {
        const k = event.type === 'upsert' ? this.observed.upsert(obj) : this.observed.delete(obj);
        if (k) touched.add(k);
      }
    }
    if (changes.clusterIdChanged) {
      const previous = this.#clusterId;
      this.#clusterId = this.#store.clusterIdProperty ?? this.name;
      if (previous !== this.#clusterId) {
        this.#log.info('cluster id changed', { previous, current: this.#clusterId });
        this.#emit({ type: 'clusterId', previous, current: this.#clusterId });
      }
    }
    for (const ns of changes.namespaces) this.#emit({ type: 'namespace', namespace: ns });
    for (const k of changes.keys) touched.add(k);
    for (const k of touched) this.#emit({ type: 'service', key: k });
    if (!this.#synced && this.#reflectors.length > 0 && this.#reflectors.every((r) => r.synced)) {
      this.#synced = true;
      this.#emit({ type: 'sync', synced: true });
    }
  }

  /** A change of the label reaches each ServiceEntry with the service's next merge (see docs/mesh.md). */
  #noteMeshNetwork(event: ReflectorEvent): void {
    const isSystem = (o: KubeObject) => o.metadata?.name === ISTIO_SYSTEM_NAMESPACE;
    const networkOf = (o: KubeObject | undefined) => {
      const v = (o?.metadata?.labels as Record<string, unknown> | undefined)?.[ISTIO_NETWORK_LABEL];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    if (event.type === 'replace') this.#meshNetwork = networkOf(event.objects.find(isSystem));
    else if (isSystem(event.object)) this.#meshNetwork = event.type === 'upsert' ? networkOf(event.object) : undefined;
  }

  #updateHealth(): void {
    const healthy = this.#reflectors.every((r) => r.healthy);
    if (healthy === this.#healthy) return;
    this.#healthy = healthy;
    this.#log.info(healthy ? 'cluster reachable' : 'cluster unreachable; keeping its last known state');
    this.#emit({ type: 'health', healthy });
  }

  #problem(kind: string, obj: KubeObject, error: InputError): void {
    if (this.#problems.size >= MAX_PROBLEMS) return;
    this.#problems.set(problemId(kind, obj), {
      where: `cluster ${this.name}`,
      object: error.object,
      message: `${error.field}: ${error.detail}`,
    });
    this.#log.warn('object skipped', { object: error.object, field: error.field, problem: error.detail });
  }

  #clearProblems(kind: string): void {
    for (const id of this.#problems.keys()) if (id.startsWith(`${kind}|`)) this.#problems.delete(id);
  }

  #emit(event: SourceEvent): void {
    this.#listeners.emit(event);
  }
}

function problemId(kind: string, obj: KubeObject): string {
  return `${kind}|${String(obj.metadata?.namespace ?? '')}/${String(obj.metadata?.name ?? '')}`;
}
