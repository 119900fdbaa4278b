// What we wrote into one member cluster, as the API server holds it now: ServiceImports, MCS EndpointSlices,
// Istio ServiceEntries and the status of ServiceExports, indexed by service key. Writers compare desired with this and write
// only the difference; deletes touch only objects carrying our label.
import type { KubeObject } from '../mcs/kube-objects.ts';
import { isRecord } from '../mcs/kube-objects.ts';
import { MCS_SERVICE_NAME_LABEL } from '../mcs/normalize.ts';
import { ENDPOINTSLICE_MANAGED_BY_LABEL, ENDPOINTSLICE_MANAGED_BY_VALUE } from '../mcs/ownership.ts';
import type { ServiceKey } from '../mcs/types.ts';

export interface ObservedExport {
  apiVersion: string;
  conditions: unknown[];
}

function keyOf(obj: KubeObject, name?: string): ServiceKey | undefined {
  const meta = obj.metadata;
  if (!meta || typeof meta.namespace !== 'string') return undefined;
  const n = name ?? meta.name;
  return typeof n === 'string' ? `${meta.namespace}/${n}` : undefined;
}

export function labelsOf(obj: KubeObject | undefined): Record<string, string> {
  const labels = obj?.metadata?.labels;
  return isRecord(labels) ? (labels as Record<string, string>) : {};
}

/** True for an EndpointSlice written by clusterset (not by the default controller or another MCS controller). */
export function isOurMcsSlice(obj: KubeObject): boolean {
  const labels = labelsOf(obj);
  return (
    labels[ENDPOINTSLICE_MANAGED_BY_LABEL] === ENDPOINTSLICE_MANAGED_BY_VALUE &&
    labels[MCS_SERVICE_NAME_LABEL] !== undefined
  );
}

/** A ServiceEntry of ours stands for the service its MCS service-name label names, in its own namespace. */
function serviceEntryKey(obj: KubeObject): ServiceKey | undefined {
  const name = labelsOf(obj)[MCS_SERVICE_NAME_LABEL];
  return name === undefined ? undefined : keyOf(obj, name);
}

export class ObservedObjects {
  readonly imports = new Map<ServiceKey, KubeObject>();
  readonly slices = new Map<ServiceKey, Map<string, KubeObject>>();
  readonly exports = new Map<ServiceKey, ObservedExport>();
  /** Our Istio ServiceEntries (selected by our label), by the service they stand for. */
  readonly serviceEntries = new Map<ServiceKey, KubeObject>();
  readonly #sliceKey = new Map<string, ServiceKey>();
  readonly #exportVersions = new Map<ServiceKey, number>();

  /** Returns the service key the object belongs to, when it is one we track. */
  upsert(obj: KubeObject): ServiceKey | undefined {
    if (this.#older(obj)) return undefined;
    switch (obj.kind) {
      case 'ServiceImport': {
        const key = keyOf(obj);
        if (key) this.imports.set(key, obj);
        return key;
      }
      case 'ServiceExport': {
        const key = keyOf(obj);
        const status = isRecord(obj.status) ? obj.status : {};
        if (key)
          this.exports.set(key, {
            apiVersion: String(obj.apiVersion),
            conditions: Array.isArray(status.conditions) ? status.conditions : [],
          });
        const rv = Number(obj.metadata?.resourceVersion);
        if (key && Number.isSafeInteger(rv)) this.#exportVersions.set(key, rv);
        return key;
      }
      case 'ServiceEntry': {
        const key = serviceEntryKey(obj);
        if (key) this.serviceEntries.set(key, obj);
        return key;
      }
      case 'EndpointSlice': {
        if (!isOurMcsSlice(obj)) return undefined;
        const key = keyOf(obj, labelsOf(obj)[MCS_SERVICE_NAME_LABEL]);
        const name = String(obj.metadata?.name);
        const id = `${String(obj.metadata?.namespace)}/${name}`;
        if (!key) return undefined;
        const old = this.#sliceKey.get(id);
        if (old && old !== key) this.slices.get(old)?.delete(name);
        let m = this.slices.get(key);
        if (!m) {
          m = new Map();
          this.slices.set(key, m);
        }
        m.set(name, obj);
        this.#sliceKey.set(id, key);
        return key;
      }
      default:
        return undefined;
    }
  }

  delete(obj: KubeObject): ServiceKey | undefined {
    switch (obj.kind) {
      case 'ServiceImport': {
        const key = keyOf(obj);
        if (key) this.imports.delete(key);
        return key;
      }
      case 'ServiceExport': {
        const key = keyOf(obj);
        if (key) {
          this.exports.delete(key);
          this.#exportVersions.delete(key);
        }
        return key;
      }
      case 'ServiceEntry': {
        const key = serviceEntryKey(obj);
        if (key) this.serviceEntries.delete(key);
        return key;
      }
      case 'EndpointSlice': {
        const id = `${String(obj.metadata?.namespace)}/${String(obj.metadata?.name)}`;
        const key = this.#sliceKey.get(id);
        if (!key) return undefined;
        this.#sliceKey.delete(id);
        const m = this.slices.get(key);
        m?.delete(String(obj.metadata?.name));
        if (m?.size === 0) this.slices.delete(key);
        return key;
      }
      default:
        return undefined;
    }
  }

  /** Swaps all objects of one kind (after a relist); returns every key touched before or after. */
  replace(
    kind: 'ServiceImport' | 'ServiceExport' | 'EndpointSlice' | 'ServiceEntry',
    objects: readonly KubeObject[],
  ): Set<ServiceKey> {
    const touched = new Set<ServiceKey>();
    if (kind === 'ServiceEntry') {
      for (const k of this.serviceEntries.keys()) touched.add(k);
      this.serviceEntries.clear();
    } else if (kind === 'ServiceImport') {
      for (const k of this.imports.keys()) touched.add(k);
      this.imports.clear();
    } else if (kind === 'ServiceExport') {
      for (const k of this.exports.keys()) touched.add(k);
      this.exports.clear();
      this.#exportVersions.clear();
    } else {
      for (const k of this.slices.keys()) touched.add(k);
      this.slices.clear();
      this.#sliceKey.clear();
    }
    for (const o of objects) {
      const k = this.upsert(o);
      if (k) touched.add(k);
    }
    return touched;
  }

  /**
   * Whether we already hold a newer copy of this object (written by us and recorded from the API server's answer,
   * before the watch delivered an earlier version). resourceVersions are etcd revisions in practice; anything that
   * is not a number is never taken as older.
   */
  #older(obj: KubeObject): boolean {
    const rv = Number(obj.metadata?.resourceVersion);
    if (!Number.isSafeInteger(rv)) return false;
    let held: KubeObject | undefined;
    const meta = obj.metadata;
    if (obj.kind === 'ServiceImport') held = this.imports.get(keyOf(obj) ?? '/');
    else if (obj.kind === 'ServiceEntry') held = this.serviceEntries.get(serviceEntryKey(obj) ?? '/');
    else if (obj.kind === 'EndpointSlice') {
      const key = this.#sliceKey.get(`${String(meta?.namespace)}/${String(meta?.name)}`);
      held = key ? this.slices.get(key)?.get(String(meta?.name)) : undefined;
    } else if (obj.kind === 'ServiceExport') {
      const rvHeld = this.#exportVersions.get(keyOf(obj) ?? '/');
      return rvHeld !== undefined && rvHeld > rv;
    }
    const heldRv = Number(held?.metadata?.resourceVersion);
    return Number.isSafeInteger(heldRv) && heldRv > rv;
  }

  keys(): Set<ServiceKey> {
    return new Set([...this.imports.keys(), ...this.slices.keys(), ...this.serviceEntries.keys()]);
  }
}
