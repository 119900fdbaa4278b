// ServiceView → the Istio ServiceEntry for `<svc>.<ns>.svc.clusterset.local`, or the reason it cannot be
// one. The object is the same in every target cluster (endpoints come from every exporting cluster), so it
// is rendered once per merge. Pure; deterministic, so an unchanged view yields an unchanged object.

import { labelValueProblem } from '../mcs/names.ts';
import { MCS_SERVICE_NAME_LABEL, MCS_SOURCE_CLUSTER_LABEL } from '../mcs/normalize.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../mcs/ownership.ts';
import type { ClusterId, EndpointGroup, IPFamily, ServiceView } from '../mcs/types.ts';
import { localityOf, type NodeTopology } from './locality.ts';
import { meshPorts, portKey } from './ports.ts';
import {
  clustersetHost,
  ISTIO_REV_LABEL,
  SERVICE_ENTRY_API_VERSION,
  type ServiceEntryEndpoint,
  type ServiceEntryObject,
  serviceEntryName,
} from './serviceentry.ts';
import { LIMITS, serviceEntryProblems } from './validate.ts';

export interface MeshRenderOptions {
  /** `istio.io/rev` label value, so that only that Istio revision reads the ServiceEntries. */
  revision?: string;
  /** The Istio network of a source cluster's endpoints; undefined: the same network as the proxies. */
  networkOf?: (cluster: ClusterId) => string | undefined;
  /** Region, zone and sub-zone of a node of a source cluster, when known. */
  nodeTopology?: (cluster: ClusterId, nodeName: string) => NodeTopology | undefined;
}

/** Why a service gets no ServiceEntry. */
export type MeshSkipReason =
  /** Every port is UDP or SCTP, which sidecars do not proxy. */
  | 'NoMeshPorts'
  | 'TooManyPorts'
  | 'TooManyEndpoints'
  /** The rendered object failed validation: a bug guard, never expected. */
  | 'InvalidServiceEntry';

export type MeshRenderResult =
  | { ok: true; serviceEntry: ServiceEntryObject; notes: string[] }
  | { ok: false; reason: MeshSkipReason; message: string };

export function renderServiceEntry(view: ServiceView, options: MeshRenderOptions = {}): MeshRenderResult {
  const { ports, nameOf, leftOut } = meshPorts(view.ports);
  const notes = leftOut.map(
    (l) => `port ${l.port.name || '(unnamed)'} ${l.port.port}/${l.port.protocol} left out: ${l.why}`,
  );
  if (ports.length === 0)
    return { ok: false, reason: 'NoMeshPorts', message: `no TCP port to route (${notes.join('; ') || 'no ports'})` };
  if (ports.length > LIMITS.ports || ports.length > LIMITS.endpointPorts) {
    return {
      ok: false,
      reason: 'TooManyPorts',
      message: `${ports.length} TCP ports; a ServiceEntry endpoint holds at most ${LIMITS.endpointPorts}`,
    };
  }

  const endpoints: ServiceEntryEndpoint[] = [];
  for (const [cluster, groups] of view.endpointsBySource) {
    endpoints.push(...clusterEndpoints(cluster, groups, view.ipFamilies, nameOf, options));
  }
  if (endpoints.length > LIMITS.endpoints) {
    return {
      ok: false,
      reason: 'TooManyEndpoints',
      message: `${endpoints.length} ready endpoints; a ServiceEntry holds at most ${LIMITS.endpoints}`,
    };
  }

  const labels: Record<string, string> = {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [MCS_SERVICE_NAME_LABEL]: view.name,
  };
  if (options.revision) labels[ISTIO_REV_LABEL] = options.revision;
  const spec: ServiceEntryObject['spec'] = {
    hosts: [clustersetHost(view.namespace, view.name)],
    // Headless: no VIP. istiod then allocates one itself (PILOT_ENABLE_IP_AUTOALLOCATE, on by default).
    ...(view.type === 'ClusterSetIP' && view.ips.length > 0 ? { addresses: [...view.ips] } : {}),
    ports,
    location: 'MESH_INTERNAL',
    resolution: 'STATIC',
  };
  // No endpoints: the field is left out (STATIC without endpoints is valid: the host exists, with nothing behind it).
  if (endpoints.length > 0) spec.endpoints = endpoints;
  const serviceEntry: ServiceEntryObject = {
    apiVersion: SERVICE_ENTRY_API_VERSION,
    kind: 'ServiceEntry',
    metadata: { name: serviceEntryName(view.name), namespace: view.namespace, labels },
    spec,
  };
  const problems = serviceEntryProblems(serviceEntry);
  if (problems.length > 0) {
    return { ok: false, reason: 'InvalidServiceEntry', message: problems.slice(0, 5).join('; ') };
  }
  return { ok: true, serviceEntry, notes };
}

/**
 * The ready endpoints of one source cluster, one per pod: a dual-stack pod is in an IPv4 and an IPv6 slice,
 * so only the first family of the service that this cluster has endpoints in is used (a cluster that is
 * single-stack in the other family still counts).
 */
function clusterEndpoints(
  cluster: ClusterId,
  groups: readonly EndpointGroup[],
  families: readonly IPFamily[],
  nameOf: ReadonlyMap<string, string>,
  options: MeshRenderOptions,
): ServiceEntryEndpoint[] {
  const usable = (g: EndpointGroup) =>
    g.endpoints.some((e) => e.ready && e.addresses.length > 0) &&
    g.ports.some((p) => nameOf.has(portKey(p.name, p.protocol)));
  const family = families.find((f) => groups.some((g) => g.addressType === f && usable(g)));
  if (!family) return [];
  const network = options.networkOf?.(cluster);
  const labels: Record<string, string> = {};
  // A cluster id may be longer than a label value can be; the label is a convenience for subsets, so it is dropped then.
  if (labelValueProblem(cluster) === undefined) labels[MCS_SOURCE_CLUSTER_LABEL] = cluster;
  const byAddress = new Map<string, ServiceEntryEndpoint>();
  for (const g of groups) {
    if (g.addressType !== family) continue;
    const ports: Record<string, number> = {};
    for (const p of g.ports) {
      const name = nameOf.get(portKey(p.name, p.protocol));
      if (name !== undefined) ports[name] = p.port;
    }
    if (Object.keys(ports).length === 0) continue;
    for (const e of g.endpoints) {
      const address = e.addresses[0];
      if (!e.ready || address === undefined) continue;
      const seen = byAddress.get(address);
      // One pod in two slices (slices split by port): one endpoint with the ports of both.
      if (seen) {
        Object.assign(seen.ports, ports);
        continue;
      }
      const ep: ServiceEntryEndpoint = { address, ports: { ...ports }, labels: { ...labels } };
      const locality = localityOf(e.zone, e.nodeName ? options.nodeTopology?.(cluster, e.nodeName) : undefined);
      if (locality !== undefined) ep.locality = locality;
      if (network !== undefined) ep.network = network;
      byAddress.set(address, ep);
    }
  }
  return [...byAddress.values()]
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
    .map((e) => ({ ...e, ports: sortedRecord(e.ports) }));
}

function sortedRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The clusters that should hold the ServiceEntry: every cluster that imports the service (its namespace
 * exists there), or only the config cluster of an external control plane, if it has the namespace.
 */
export function meshTargets(view: ServiceView, configCluster?: ClusterId): ClusterId[] {
  if (configCluster === undefined) return [...view.importers];
  return view.importers.includes(configCluster) ? [configCluster] : [];
}
