// The agent's view of its cluster: ServiceImports, MCS EndpointSlices (indexed by the service they belong to) and
// its Node. Applying an event says which services changed, or that everything did (a relist or a zone change).
import type { KubeObject } from '../mcs/kube-objects.ts';
import { isRecord } from '../mcs/kube-objects.ts';
import type { ServiceKey } from '../mcs/types.ts';
import {
  type FromImportResult,
  fromServiceImport,
  importServiceKey,
  sliceServiceKey,
} from '../noderules/from-import.ts';
import type { NodeContext } from '../noderules/model.ts';
import type { AgentEvent } from './input.ts';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export type Dirty = { all: true } | { all: false; keys: Set<ServiceKey> };

export class ClusterCache {
  readonly nodeName: string;
  private readonly imports = new Map<ServiceKey, KubeObject>();
  private readonly sliceOwner = new Map<string, ServiceKey>();
  private readonly slicesByService = new Map<ServiceKey, Map<string, KubeObject>>();
  private readonly listed = new Set<string>();
  private zone: string | undefined;
  private nodeSeen = false;

  constructor(nodeName: string) {
    this.nodeName = nodeName;
  }

  /** True once both kinds were listed and the Node was read. */
  synced(): boolean {
    return this.nodeSeen && this.listed.has('ServiceImport') && this.listed.has('EndpointSlice');
  }

  node(): NodeContext {
    return this.zone === undefined ? { nodeName: this.nodeName } : { nodeName: this.nodeName, zone: this.zone };
  }

  keys(): ServiceKey[] {
    return [...this.imports.keys()];
  }

  /** The rule model of a service; undefined when it has no ServiceImport. */
  model(key: ServiceKey): FromImportResult | undefined {
    const imp = this.imports.get(key);
    if (imp === undefined) return undefined;
    return fromServiceImport(imp, [...(this.slicesByService.get(key)?.values() ?? [])]);
  }

  apply(event: AgentEvent): Dirty {
    if (event.type === 'Node') {
      this.nodeSeen = true;
      const labels = isRecord(event.object.metadata?.labels) ? event.object.metadata.labels : {};
      const zone = typeof labels[ZONE_LABEL] === 'string' ? labels[ZONE_LABEL] : undefined;
      if (zone === this.zone) return { all: false, keys: new Set() };
      this.zone = zone;
      return { all: true };
    }
    if (event.type === 'Replace') {
      this.listed.add(event.kind);
      if (event.kind === 'ServiceImport') {
        this.imports.clear();
        for (const o of event.objects) this.putImport(o);
      } else {
        this.sliceOwner.clear();
        this.slicesByService.clear();
        for (const o of event.objects) this.putSlice(o);
      }
      return { all: true };
    }
    const keys = new Set<ServiceKey>();
    if (event.kind === 'ServiceImport') {
      const key = importServiceKey(event.object);
      if (key === undefined) return { all: false, keys };
      if (event.type === 'Delete') this.imports.delete(key);
      else this.putImport(event.object);
      keys.add(key);
    } else {
      const id = objectId(event.object);
      const before = this.sliceOwner.get(id);
      if (before !== undefined) keys.add(before);
      this.dropSlice(id);
      if (event.type === 'Upsert') {
        const after = this.putSlice(event.object);
        if (after !== undefined) keys.add(after);
      }
    }
    return { all: false, keys };
  }

  private putImport(o: KubeObject): void {
    const key = importServiceKey(o);
    if (key !== undefined) this.imports.set(key, o);
  }

  private putSlice(o: KubeObject): ServiceKey | undefined {
    const key = sliceServiceKey(o);
    if (key === undefined) return undefined;
    const id = objectId(o);
    this.sliceOwner.set(id, key);
    let slices = this.slicesByService.get(key);
    if (slices === undefined) {
      slices = new Map();
      this.slicesByService.set(key, slices);
    }
    slices.set(id, o);
    return key;
  }

  private dropSlice(id: string): void {
    const key = this.sliceOwner.get(id);
    if (key === undefined) return;
    this.sliceOwner.delete(id);
    const slices = this.slicesByService.get(key);
    slices?.delete(id);
    if (slices?.size === 0) this.slicesByService.delete(key);
  }
}

function objectId(o: KubeObject): string {
  const { namespace, name } = o.metadata ?? {};
  return `${String(namespace)}/${String(name)}`;
}
