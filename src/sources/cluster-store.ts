// The facts of one member cluster, indexed by service key: only the fields the core reads. Objects come in
// from a file source or a reflector; the store normalises them, keeps the last good facts, and says which
// keys changed so that only those are merged again.

import type { KubeObject } from '../mcs/kube-objects.ts';
import { describe, isRecord, kindOf } from '../mcs/kube-objects.ts';
import { InputError } from '../mcs/names.ts';
import {
  normaliseEndpointSlice,
  normaliseService,
  normaliseServiceExport,
  readClusterIdProperty,
  readNamespaceName,
} from '../mcs/normalize.ts';
import type { ClusterFacts, EndpointGroup, ExportFacts, ServiceFacts, ServiceKey } from '../mcs/types.ts';

export const WATCHED_KINDS = ['Namespace', 'Service', 'EndpointSlice', 'ServiceExport', 'ClusterProperty'] as const;
export type WatchedKind = (typeof WATCHED_KINDS)[number];

export interface StoreChanges {
  keys: Set<ServiceKey>;
  namespaces: Set<string>;
  clusterIdChanged: boolean;
}

type ServiceEntry = { facts: ServiceFacts } | { problem: string };

export class ClusterStore {
  readonly #exports = new Map<ServiceKey, ExportFacts>();
  readonly #services = new Map<ServiceKey, ServiceEntry>();
  /** Per service key: the groups of each of its EndpointSlices, by slice name. */
  readonly #slices = new Map<ServiceKey, Map<string, EndpointGroup>>();
  /** Slice `namespace/name` → the service key it was filed under, to find it again on delete. */
  readonly #sliceOwner = new Map<string, ServiceKey>();
  readonly #namespaces = new Set<string>();
  readonly #exportsByNamespace = new Map<string, Set<ServiceKey>>();
  #clusterIdProperty: string | undefined;
  /** When true (file sources), a namespace exists as soon as any object lives in it, as in a real cluster. */
  readonly #implicitNamespaces: boolean;
  readonly #implicit = new Map<string, number>();

  constructor(options: { implicitNamespaces?: boolean } = {}) {
    this.#implicitNamespaces = options.implicitNamespaces ?? false;
  }

  get clusterIdProperty(): string | undefined {
    return this.#clusterIdProperty;
  }

  static emptyChanges(): StoreChanges {
    return { keys: new Set(), namespaces: new Set(), clusterIdChanged: false };
  }

  /** Adds or updates one object. Throws InputError when the object cannot be read at all. */
  apply(obj: KubeObject, changes: StoreChanges = ClusterStore.emptyChanges()): StoreChanges {
    const kind = kindOf(obj);
    switch (kind) {
      case 'Namespace': {
        const name = readNamespaceName(obj);
        if (!this.#namespaces.has(name)) {
          this.#namespaces.add(name);
          changes.namespaces.add(name);
        }
        break;
      }
      case 'ServiceExport': {
        const { key, facts } = normaliseServiceExport(obj);
        if (!sameJson(this.#exports.get(key), facts)) {
          if (!this.#exports.has(key)) this.#touchNamespace(key, +1, changes);
          this.#exports.set(key, facts);
          indexAdd(this.#exportsByNamespace, namespaceOf(key), key);
          changes.keys.add(key);
        }
        break;
      }
      case 'Service': {
        const r = normaliseService(obj);
        const entry: ServiceEntry = r.facts
          ? { facts: r.facts }
          : { problem: `${r.unexportable.field}: ${r.unexportable.detail}` };
        if (!sameJson(this.#services.get(r.key), entry)) {
          if (!this.#services.has(r.key)) this.#touchNamespace(r.key, +1, changes);
          this.#services.set(r.key, entry);
          changes.keys.add(r.key);
        }
        break;
      }
      case 'EndpointSlice': {
        const id = sliceId(obj);
        const r = normaliseEndpointSlice(obj);
        const previousKey = this.#sliceOwner.get(id);
        if (previousKey && previousKey !== r?.key) this.#removeSlice(id, changes);
        if (!r) break;
        let slices = this.#slices.get(r.key);
        if (!slices) {
          slices = new Map();
          this.#slices.set(r.key, slices);
        }
        if (!sameJson(slices.get(r.name), r.group)) {
          slices.set(r.name, r.group);
          this.#sliceOwner.set(id, r.key);
          changes.keys.add(r.key);
        }
        break;
      }
      case 'ClusterProperty': {
        const value = readClusterIdProperty(obj);
        if (isClusterIdObject(obj) && value !== this.#clusterIdProperty) {
          this.#clusterIdProperty = value;
          changes.clusterIdChanged = true;
        }
        break;
      }
      default:
        throw new InputError(
          describe(obj),
          'kind',
          `"${kind}" is not a kind clusterset reads (${WATCHED_KINDS.join(', ')})`,
        );
    }
    return changes;
  }

  /** Removes one object, by kind and identity only (the rest of it may be stale). */
  delete(obj: KubeObject, changes: StoreChanges = ClusterStore.emptyChanges()): StoreChanges {
    const kind = kindOf(obj);
    const meta = isRecord(obj.metadata) ? obj.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
    const key: ServiceKey = `${namespace}/${name}`;
    switch (kind) {
      case 'Namespace':
        if (this.#namespaces.delete(name)) changes.namespaces.add(name);
        break;
      case 'ServiceExport':
        if (this.#exports.delete(key)) {
          this.#exportsByNamespace.get(namespace)?.delete(key);
          this.#touchNamespace(key, -1, changes);
          changes.keys.add(key);
        }
        break;
      case 'Service':
        if (this.#services.delete(key)) {
          this.#touchNamespace(key, -1, changes);
          changes.keys.add(key);
        }
        break;
      case 'EndpointSlice':
        this.#removeSlice(`${namespace}/${name}`, changes);
        break;
      case 'ClusterProperty':
        if (isClusterIdObject(obj) && this.#clusterIdProperty !== undefined) {
          this.#clusterIdProperty = undefined;
          changes.clusterIdChanged = true;
        }
        break;
    }
    return changes;
  }

  /**
   * Swaps the whole content of one kind at once (a relist, or a file source's reload), reporting only
   * the keys whose facts really changed. Objects that cannot be read are returned, not stored.
   */
  replace(
    kind: WatchedKind,
    objects: readonly KubeObject[],
    changes: StoreChanges = ClusterStore.emptyChanges(),
  ): { changes: StoreChanges; errors: { obj: KubeObject; error: InputError }[] } {
    const errors: { obj: KubeObject; error: InputError }[] = [];
    const next = new ClusterStore({ implicitNamespaces: false });
    const kept: KubeObject[] = [];
    for (const obj of objects) {
      try {
        next.apply(obj);
        kept.push(obj);
      } catch (error) {
        if (error instanceof InputError) errors.push({ obj, error });
        else throw error;
      }
    }
    // Delete what is gone, then apply what is there: apply() reports only real differences.
    const present = new Set(kept.map(identity));
    for (const gone of this.#identities(kind)) {
      if (!present.has(identity(gone))) this.delete(gone, changes);
    }
    for (const obj of kept) this.apply(obj, changes);
    return { changes, errors };
  }

  snapshot(key: ServiceKey): ClusterFacts {
    const facts: ClusterFacts = { namespaceExists: this.namespaceExists(namespaceOf(key)), endpoints: [] };
    const exp = this.#exports.get(key);
    if (exp) facts.export = exp;
    const svc = this.#services.get(key);
    if (svc && 'facts' in svc) facts.service = svc.facts;
    else if (svc) facts.serviceProblem = svc.problem;
    const slices = this.#slices.get(key);
    if (slices) facts.endpoints = mergeGroups(slices.values());
    return facts;
  }

  namespaceExists(namespace: string): boolean {
    return this.#namespaces.has(namespace) || (this.#implicitNamespaces && (this.#implicit.get(namespace) ?? 0) > 0);
  }

  keys(): Set<ServiceKey> {
    return new Set([...this.#exports.keys(), ...this.#services.keys(), ...this.#slices.keys()]);
  }

  exportedKeysIn(namespace: string): Iterable<ServiceKey> {
    return this.#exportsByNamespace.get(namespace) ?? [];
  }

  get exportCount(): number {
    return this.#exports.size;
  }

  #identities(kind: WatchedKind): KubeObject[] {
    const ref = (key: ServiceKey): KubeObject => {
      const [namespace, name] = splitKey(key);
      return { kind, metadata: { namespace, name } };
    };
    switch (kind) {
      case 'Namespace':
        return [...this.#namespaces].map((name) => ({ kind, metadata: { name } }));
      case 'ServiceExport':
        return [...this.#exports.keys()].map(ref);
      case 'Service':
        return [...this.#services.keys()].map(ref);
      case 'EndpointSlice':
        return [...this.#sliceOwner.keys()].map((id) => ref(id as ServiceKey));
      case 'ClusterProperty':
        return this.#clusterIdProperty === undefined ? [] : [{ kind, metadata: { name: 'cluster.clusterset.k8s.io' } }];
    }
  }

  #removeSlice(id: string, changes: StoreChanges): void {
    const key = this.#sliceOwner.get(id);
    if (!key) return;
    this.#sliceOwner.delete(id);
    const slices = this.#slices.get(key);
    if (slices?.delete(splitKey(id as ServiceKey)[1])) changes.keys.add(key);
    if (slices && slices.size === 0) this.#slices.delete(key);
  }

  #touchNamespace(key: ServiceKey, delta: number, changes: StoreChanges): void {
    if (!this.#implicitNamespaces) return;
    const ns = namespaceOf(key);
    const before = this.#implicit.get(ns) ?? 0;
    const after = before + delta;
    this.#implicit.set(ns, after);
    if (before > 0 !== after > 0 && !this.#namespaces.has(ns)) changes.namespaces.add(ns);
  }
}

/** Endpoints of several slices that share family and ports become one group. */
function mergeGroups(groups: Iterable<EndpointGroup>): EndpointGroup[] {
  const bySignature = new Map<string, EndpointGroup>();
  for (const g of groups) {
    const sig = `${g.addressType}|${JSON.stringify(g.ports)}`;
    const existing = bySignature.get(sig);
    if (existing) existing.endpoints.push(...g.endpoints);
    else bySignature.set(sig, { addressType: g.addressType, ports: g.ports, endpoints: [...g.endpoints] });
  }
  return [...bySignature.values()];
}

function isClusterIdObject(obj: KubeObject): boolean {
  return isRecord(obj.metadata) && obj.metadata.name === 'cluster.clusterset.k8s.io';
}

function sliceId(obj: KubeObject): string {
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  return `${String(meta.namespace ?? '')}/${String(meta.name ?? '')}`;
}

function identity(obj: KubeObject): string {
  return `${kindOf(obj)}|${String(obj.metadata?.namespace ?? '')}/${String(obj.metadata?.name ?? '')}`;
}

export function namespaceOf(key: ServiceKey): string {
  return key.slice(0, key.indexOf('/'));
}

function splitKey(key: ServiceKey): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

function indexAdd<K, V>(index: Map<K, Set<V>>, k: K, v: V): void {
  let s = index.get(k);
  if (!s) {
    s = new Set();
    index.set(k, s);
  }
  s.add(v);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
