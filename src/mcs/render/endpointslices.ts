// ServiceView → the MCS EndpointSlices of one importing cluster: one source cluster per slice, at most
// MAX_ENDPOINTS per slice, with the KEP's labels and our managed-by value. Names are derived from what the
// slice holds, so a re-render of an unchanged view yields the same objects and no writes.
import { shortHash } from '../hash.ts';
import { MCS_SERVICE_NAME_LABEL, MCS_SOURCE_CLUSTER_LABEL } from '../normalize.ts';
import {
  ENDPOINTSLICE_MANAGED_BY_LABEL,
  ENDPOINTSLICE_MANAGED_BY_VALUE,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
} from '../ownership.ts';
import type { Endpoint, EndpointPort, ServiceView } from '../types.ts';

export const MAX_ENDPOINTS = 100;

export interface EndpointSliceObject {
  apiVersion: 'discovery.k8s.io/v1';
  kind: 'EndpointSlice';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  addressType: 'IPv4' | 'IPv6';
  ports: { name: string; protocol: string; port: number; appProtocol?: string }[];
  endpoints: {
    addresses: string[];
    conditions: { ready: boolean; serving: boolean; terminating: boolean };
    hostname?: string;
    nodeName?: string;
    zone?: string;
  }[];
}

export function renderEndpointSlices(view: ServiceView): EndpointSliceObject[] {
  const out: EndpointSliceObject[] = [];
  const base = view.name.slice(0, 50).replace(/-+$/, '');
  for (const [source, groups] of view.endpointsBySource) {
    for (const group of groups) {
      const ports = [...group.ports]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.port - b.port))
        .map(renderEndpointPort);
      const signature = `${view.key}|${source}|${group.addressType}|${ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',')}`;
      const endpoints = [...group.endpoints].sort(compareEndpoints);
      for (let i = 0; i * MAX_ENDPOINTS < endpoints.length; i++) {
        out.push({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: {
            name: `${base}-${shortHash(`${signature}|${i}`)}`,
            namespace: view.namespace,
            labels: {
              [MCS_SERVICE_NAME_LABEL]: view.name,
              [MCS_SOURCE_CLUSTER_LABEL]: source,
              [ENDPOINTSLICE_MANAGED_BY_LABEL]: ENDPOINTSLICE_MANAGED_BY_VALUE,
              [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
            },
          },
          addressType: group.addressType,
          ports,
          endpoints: endpoints.slice(i * MAX_ENDPOINTS, (i + 1) * MAX_ENDPOINTS).map(renderEndpoint),
        });
      }
    }
  }
  return out;
}

function renderEndpointPort(p: EndpointPort): EndpointSliceObject['ports'][number] {
  const out: EndpointSliceObject['ports'][number] = { name: p.name, protocol: p.protocol, port: p.port };
  if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
  return out;
}

function renderEndpoint(e: Endpoint): EndpointSliceObject['endpoints'][number] {
  const out: EndpointSliceObject['endpoints'][number] = {
    addresses: [...e.addresses],
    conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
  };
  if (e.hostname !== undefined) out.hostname = e.hostname;
  if (e.nodeName !== undefined) out.nodeName = e.nodeName;
  if (e.zone !== undefined) out.zone = e.zone;
  return out;
}

function compareEndpoints(a: Endpoint, b: Endpoint): number {
  const x = a.addresses[0] ?? '';
  const y = b.addresses[0] ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
