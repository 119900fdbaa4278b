// Plain-data builders for core tests: a ClusterFacts with sensible defaults, overridden per case.
import { ClusterSetIpAllocator } from '../../src/mcs/clustersetip.ts';
import type { MergeOptions } from '../../src/mcs/merge.ts';
import type { ClusterFacts, EndpointGroup, ExportFacts, ServiceFacts } from '../../src/mcs/types.ts';

export function svc(overrides: Partial<ServiceFacts> = {}): ServiceFacts {
  return {
    type: 'ClusterIP',
    headless: false,
    clusterIPs: ['198.18.100.1'],
    ipFamilies: ['IPv4'],
    ports: [{ name: 'tcp', protocol: 'TCP', port: 42 }],
    sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster',
    ...overrides,
  };
}

export function exp(created: string, overrides: Partial<ExportFacts> = {}): ExportFacts {
  return {
    created,
    generation: 1,
    apiVersion: 'multicluster.x-k8s.io/v1beta1',
    exportedLabels: {},
    exportedAnnotations: {},
    ...overrides,
  };
}

export function group(addresses: string[], overrides: Partial<EndpointGroup> = {}): EndpointGroup {
  return {
    addressType: 'IPv4',
    ports: [{ name: 'tcp', protocol: 'TCP', port: 8042 }],
    endpoints: addresses.map((a) => ({ addresses: [a], ready: true, serving: true, terminating: false })),
    ...overrides,
  };
}

export function cluster(f: Partial<ClusterFacts> = {}): ClusterFacts {
  return { namespaceExists: true, endpoints: [], ...f };
}

export function allocatorOptions(ranges = { IPv4: '198.19.0.0/16', IPv6: 'fd00:c1a5::/112' }): MergeOptions & {
  allocator: ClusterSetIpAllocator;
} {
  const allocator = new ClusterSetIpAllocator(ranges);
  return { allocator, families: allocator.families(), ipsFor: (k, f) => allocator.ipsFor(k, f) };
}

export const T1 = '2026-01-01T00:00:00Z';
export const T2 = '2026-01-01T00:00:05Z';
export const T3 = '2026-01-01T00:00:09Z';
