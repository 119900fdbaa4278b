// The Istio ServiceEntry as we write it (networking.istio.io/v1), and the names that mark ours. Only the
// fields we set are typed; the CRD's full schema is mirrored by validate.ts.

export const SERVICE_ENTRY_API_VERSION = 'networking.istio.io/v1';

/** The REST resource, in the shape of src/kube/resources.ts (kept here so the pure core imports no kube code). */
export const SERVICE_ENTRY_RESOURCE = {
  kind: 'ServiceEntry',
  group: 'networking.istio.io',
  version: 'v1',
  plural: 'serviceentries',
  namespaced: true,
} as const;

/** istiod reads only config whose `istio.io/rev` is absent or equal to its own revision name (not a tag). */
export const ISTIO_REV_LABEL = 'istio.io/rev';

/** Istio's label for the network of a cluster's system namespace (and of workloads). */
export const ISTIO_NETWORK_LABEL = 'topology.istio.io/network';

/** Istio's node label for the sub-zone; region and zone are Kubernetes' well-known topology labels. */
export const ISTIO_SUBZONE_LABEL = 'topology.istio.io/subzone';

/** The ServiceEntry is named after the service with this suffix, so that a user's own ServiceEntry named
 * after the Service (for the cluster.local host, say) is not in the way. */
export const SERVICE_ENTRY_NAME_SUFFIX = '-clusterset';

export type MeshProtocol =
  | 'HTTP'
  | 'HTTPS'
  | 'GRPC'
  | 'GRPC-WEB'
  | 'HTTP2'
  | 'MONGO'
  | 'REDIS'
  | 'MYSQL'
  | 'TCP'
  | 'TLS';

export interface ServiceEntryPort {
  name: string;
  number: number;
  /** Absent: Istio sniffs the protocol, as it does for a Kubernetes Service port it cannot classify. */
  protocol?: MeshProtocol;
}

export interface ServiceEntryEndpoint {
  address: string;
  ports: Record<string, number>;
  labels: Record<string, string>;
  locality?: string;
  network?: string;
}

export interface ServiceEntryObject {
  apiVersion: typeof SERVICE_ENTRY_API_VERSION;
  kind: 'ServiceEntry';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    hosts: string[];
    addresses?: string[];
    ports: ServiceEntryPort[];
    location: 'MESH_INTERNAL';
    resolution: 'STATIC';
    endpoints?: ServiceEntryEndpoint[];
  };
}

export function serviceEntryName(serviceName: string): string {
  return `${serviceName}${SERVICE_ENTRY_NAME_SUFFIX}`;
}

export function clustersetHost(namespace: string, name: string): string {
  return `${name}.${namespace}.svc.clusterset.local`;
}
