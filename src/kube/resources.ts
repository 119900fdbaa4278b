// The API resources clusterset reads and writes, with their REST paths.
export interface Resource {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export const RESOURCES = {
  Namespace: { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  Service: { kind: 'Service', group: '', version: 'v1', plural: 'services', namespaced: true },
  EndpointSlice: {
    kind: 'EndpointSlice',
    group: 'discovery.k8s.io',
    version: 'v1',
    plural: 'endpointslices',
    namespaced: true,
  },
  ServiceExport: {
    kind: 'ServiceExport',
    group: 'multicluster.x-k8s.io',
    version: 'v1beta1',
    plural: 'serviceexports',
    namespaced: true,
  },
  ServiceImport: {
    kind: 'ServiceImport',
    group: 'multicluster.x-k8s.io',
    version: 'v1beta1',
    plural: 'serviceimports',
    namespaced: true,
  },
  ClusterProperty: {
    kind: 'ClusterProperty',
    group: 'about.k8s.io',
    version: 'v1beta1',
    plural: 'clusterproperties',
    namespaced: false,
  },
} as const satisfies Record<string, Resource>;

export function apiVersionOf(r: Resource): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** The collection path, across all namespaces, or in one namespace. */
export function collectionPath(r: Resource, namespace?: string): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return namespace && r.namespaced ? `${base}/namespaces/${namespace}/${r.plural}` : `${base}/${r.plural}`;
}

export function objectPath(r: Resource, namespace: string | undefined, name: string, subresource?: string): string {
  return `${collectionPath(r, namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}

/** The same resource at another version (ServiceExport v1alpha1, ClusterProperty v1alpha1). */
export function atVersion(r: Resource, version: string): Resource {
  return { ...r, version };
}
