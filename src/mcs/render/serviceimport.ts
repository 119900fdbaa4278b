// ServiceView → the desired ServiceImport in one importing cluster (the same in every cluster: the
// ClusterSetIP is clusterset-wide).
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, MCS_GROUP, MCS_VERSION } from '../ownership.ts';
import type { Condition, ServicePort, ServiceView } from '../types.ts';

export interface ServiceImportObject {
  apiVersion: string;
  kind: 'ServiceImport';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    type: 'ClusterSetIP' | 'Headless';
    ports: { name?: string; protocol: string; port: number; appProtocol?: string }[];
    ips?: string[];
    ipFamilies: string[];
    sessionAffinity: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    internalTrafficPolicy?: string;
    trafficDistribution?: string;
  };
  status: { clusters: { cluster: string }[]; conditions: Condition[] };
}

export function renderPort(p: ServicePort): ServiceImportObject['spec']['ports'][number] {
  // Field order as kubectl shows it; an empty name is left out (the CRD treats it as unnamed).
  const out: ServiceImportObject['spec']['ports'][number] =
    p.name !== '' ? { name: p.name, protocol: p.protocol, port: p.port } : { protocol: p.protocol, port: p.port };
  if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
  return out;
}

export function renderServiceImport(view: ServiceView): ServiceImportObject {
  const spec: ServiceImportObject['spec'] = {
    type: view.type,
    ports: view.ports.map(renderPort),
    // Headless imports carry no `ips` at all (conformance 13 reads an empty list).
    ...(view.type === 'ClusterSetIP' ? { ips: [...view.ips] } : {}),
    ipFamilies: [...view.ipFamilies],
    sessionAffinity: view.type === 'Headless' ? 'None' : view.sessionAffinity,
  };
  if (view.type === 'ClusterSetIP' && view.sessionAffinity === 'ClientIP' && view.sessionAffinityConfig) {
    spec.sessionAffinityConfig = view.sessionAffinityConfig;
  }
  if (view.internalTrafficPolicy) spec.internalTrafficPolicy = view.internalTrafficPolicy;
  if (view.trafficDistribution !== undefined) spec.trafficDistribution = view.trafficDistribution;
  const exporting = view.exporters.filter((e) => e.valid).map((e) => ({ cluster: e.cluster }));
  const metadata: ServiceImportObject['metadata'] = {
    name: view.name,
    namespace: view.namespace,
    // Our label last: an exported label may not claim or disown the object.
    labels: { ...view.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
  };
  if (Object.keys(view.annotations).length > 0) metadata.annotations = { ...view.annotations };
  return {
    apiVersion: `${MCS_GROUP}/${MCS_VERSION}`,
    kind: 'ServiceImport',
    metadata,
    spec,
    status: {
      clusters: exporting,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Ready',
          message: `Imported from ${exporting.length} cluster(s): ${exporting.map((e) => e.cluster).join(', ')}.`,
        },
      ],
    },
  };
}
