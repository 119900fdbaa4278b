// ServiceView → the DNS names and records of that service (MCS DNS specification 1.0.0, KEP-1645 §DNS). Pure.
//
// ClusterSetIP: <svc>.<ns>.svc.<zone> A/AAAA → the ClusterSetIPs; _<port>._<proto>.<svc>… SRV per named port,
// targeting the service name; the bare service name also answers SRV, one record per distinct port.
// Headless: <svc>… A/AAAA → every ready endpoint address; <hostname>.<clusterid>.<svc>… per ready endpoint;
// SRV per ready endpoint × named port targeting the endpoint's name. No ready endpoint → no names at all (NXDOMAIN).
import type { ClusterId, Endpoint, EndpointGroup, Protocol, ServiceView } from '../mcs/types.ts';
import { ipBytes } from './ip-bytes.ts';
import { endpointIdOf, fitsNameLength, isClusterIdLabels, isDnsLabel, isServiceLabel } from './names.ts';
import { type AddressData, type NameRecords, type RecordData, RR_A, RR_AAAA, RR_SRV, type SrvData } from './records.ts';

/** SRV priority and weight are not prescribed by the spec: equal weights let clients spread load evenly. */
const SRV_PRIORITY = 0;
const SRV_WEIGHT = 100;

export function serviceBaseName(namespace: string, name: string, zone: string): string {
  return `${name.toLowerCase()}.${namespace.toLowerCase()}.svc.${zone}`;
}

function srvOwner(portName: string, protocol: Protocol, base: string): string | undefined {
  const portLabel = `_${portName.toLowerCase()}`;
  if (!isServiceLabel(portLabel)) return undefined;
  return `${portLabel}._${protocol.toLowerCase()}.${base}`;
}

/** Collects records per name, dropping exact duplicates, then freezes them into sorted RRsets. */
class NameRecordsBuilder {
  private readonly byName = new Map<string, Map<number, Map<string, RecordData>>>();
  add(name: string, data: RecordData): void {
    if (!fitsNameLength(name)) return;
    let types = this.byName.get(name);
    if (!types) {
      types = new Map();
      this.byName.set(name, types);
    }
    let set = types.get(data.type);
    if (!set) {
      set = new Map();
      types.set(data.type, set);
    }
    set.set(dedupKey(data), data);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  build(ttl: number): Map<string, NameRecords> {
    const out = new Map<string, NameRecords>();
    for (const [name, types] of this.byName) {
      const records: NameRecords = new Map();
      for (const [type, set] of types) {
        const sorted = [...set.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
        records.set(type, { type, ttl, records: sorted });
      }
      out.set(name, records);
    }
    return out;
  }
}

function dedupKey(data: RecordData): string {
  if (data.type === RR_A || data.type === RR_AAAA) {
    // Zero-padded so that the sort puts 198.18.0.9 before 198.18.0.10.
    return Array.from(data.bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  // SRV targets are unique per (target, port): the bare-name SRV dedup rule (conformance: tcp/42 + udp/42 → one).
  if (data.type === RR_SRV) return `${data.target} ${String(data.port).padStart(5, '0')}`;
  return JSON.stringify(data);
}

function addressData(ip: string): AddressData | undefined {
  const bytes = ipBytes(ip);
  if (!bytes) return undefined;
  return { type: bytes.length === 4 ? RR_A : RR_AAAA, bytes };
}

function srv(port: number, target: string): SrvData {
  return { type: RR_SRV, priority: SRV_PRIORITY, weight: SRV_WEIGHT, port, target };
}

export function renderServiceRecords(view: ServiceView, zone: string, ttl: number): Map<string, NameRecords> {
  const base = serviceBaseName(view.namespace, view.name, zone);
  const builder = new NameRecordsBuilder();
  if (!isDnsLabel(view.name.toLowerCase()) || !isDnsLabel(view.namespace.toLowerCase()) || !fitsNameLength(base)) {
    return builder.build(ttl);
  }
  if (view.type === 'ClusterSetIP') renderClusterSetIp(view, base, builder);
  else renderHeadless(view.endpointsBySource, base, builder);
  return builder.build(ttl);
}

function renderClusterSetIp(view: ServiceView, base: string, builder: NameRecordsBuilder): void {
  const addresses = view.ips.map(addressData).filter((a): a is AddressData => a !== undefined);
  // Without an allocated ClusterSetIP the service has nothing to reach: publish no name rather than a dangling SRV.
  if (addresses.length === 0) return;
  for (const a of addresses) builder.add(base, a);
  for (const port of view.ports) {
    if (port.name === '') continue; // the spec: unnamed ports have no SRV
    const owner = srvOwner(port.name, port.protocol, base);
    if (!owner) continue;
    builder.add(owner, srv(port.port, base));
    builder.add(base, srv(port.port, base));
  }
}

function renderHeadless(bySource: Map<ClusterId, EndpointGroup[]>, base: string, builder: NameRecordsBuilder): void {
  for (const cluster of [...bySource.keys()].sort()) {
    const clusterLabels = cluster.toLowerCase();
    const perHost = isClusterIdLabels(clusterLabels);
    for (const group of bySource.get(cluster) ?? []) {
      for (const endpoint of group.endpoints) {
        if (!endpoint.ready) continue;
        const addresses = endpoint.addresses.map(addressData).filter((a): a is AddressData => a !== undefined);
        if (addresses.length === 0) continue;
        for (const a of addresses) builder.add(base, a);
        if (!perHost) continue;
        const host = `${hostLabelOf(endpoint)}.${clusterLabels}.${base}`;
        if (!fitsNameLength(host)) continue;
        for (const a of addresses) builder.add(host, a);
        for (const port of group.ports) {
          if (port.name === '') continue;
          const owner = srvOwner(port.name, port.protocol, base);
          if (!owner) continue;
          builder.add(owner, srv(port.port, host));
          builder.add(base, srv(port.port, host));
        }
      }
    }
  }
}

/** The spec prefers the endpoint's own hostname; otherwise a unique, system-assigned id from its address. */
function hostLabelOf(endpoint: Endpoint): string {
  const hostname = endpoint.hostname?.toLowerCase();
  if (hostname && isDnsLabel(hostname)) return hostname;
  return endpointIdOf(endpoint.addresses[0] ?? '');
}
