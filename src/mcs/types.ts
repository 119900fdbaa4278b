// The shapes that tie the rooms together: normalised facts from one member cluster, and the merged
// clusterset-wide view of one service. Pure data, no I/O; every renderer (ServiceImport, EndpointSlices,
// DNS, ServiceEntry, node rules) reads a ServiceView and nothing else.

/** A member cluster's id: an RFC 1123 DNS label, or two labels joined by a dot (KEP-2149). */
export type ClusterId = string;

/** `namespace/name`: the clusterset-wide identity of a multi-cluster service. */
export type ServiceKey = `${string}/${string}`;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type IPFamily = 'IPv4' | 'IPv6';
export type ImportType = 'ClusterSetIP' | 'Headless';
export type SessionAffinity = 'None' | 'ClientIP';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ServicePort {
  /** '' when the Service has a single unnamed port. */
  name: string;
  protocol: Protocol;
  port: number;
  appProtocol?: string;
}

/** A port of an EndpointSlice: the port the endpoint itself listens on (the Service's targetPort, resolved). */
export interface EndpointPort {
  name: string;
  protocol: Protocol;
  port: number;
  appProtocol?: string;
}

export interface SessionAffinityConfig {
  clientIP?: { timeoutSeconds?: number };
}

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  /** Set by writers: kept from the observed condition while the status is unchanged. */
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** One endpoint of a source cluster, as its own EndpointSlices describe it. */
export interface Endpoint {
  addresses: string[];
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  hostname?: string;
  nodeName?: string;
  zone?: string;
}

/** Endpoints that share an address family and a port list: the unit an EndpointSlice holds. */
export interface EndpointGroup {
  addressType: IPFamily;
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

export interface ExportFacts {
  /** RFC 3339 creationTimestamp of the ServiceExport: the oldest export wins conflicts. */
  created: string;
  generation: number;
  /** The ServiceExport's apiVersion as read (v1alpha1 or v1beta1): status is written back in the same version. */
  apiVersion: string;
  exportedLabels: Record<string, string>;
  exportedAnnotations: Record<string, string>;
  /** Set when the ServiceExport itself cannot be honoured as written (a label we cannot copy): names the field. */
  problem?: string;
}

export interface ServiceFacts {
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  headless: boolean;
  clusterIPs: string[];
  ipFamilies: IPFamily[];
  ports: ServicePort[];
  sessionAffinity: SessionAffinity;
  sessionAffinityConfig?: SessionAffinityConfig;
  internalTrafficPolicy?: 'Cluster' | 'Local';
  trafficDistribution?: string;
}

/** What one member cluster says about one ServiceKey: only what the core reads. */
export interface ClusterFacts {
  namespaceExists: boolean;
  export?: ExportFacts;
  service?: ServiceFacts;
  /** Set when the Service exists but cannot be exported as it is (a field we cannot express): names the field. */
  serviceProblem?: string;
  /** From the cluster's own EndpointSlices for the Service (not the MCS slices we write). */
  endpoints: EndpointGroup[];
}

export interface ExporterState {
  cluster: ClusterId;
  /** Valid, Ready and Conflict, in that order, for this cluster's ServiceExport. */
  conditions: Condition[];
  /** Whether this export is a constituent of the merged service (Valid=True). */
  valid: boolean;
}

/** The merged, clusterset-wide view of one service: the only input of every renderer. */
export interface ServiceView {
  key: ServiceKey;
  namespace: string;
  name: string;
  type: ImportType;
  ports: ServicePort[];
  /** ClusterSetIPs, one per entry of ipFamilies and in the same order; empty for Headless. */
  ips: string[];
  ipFamilies: IPFamily[];
  sessionAffinity: SessionAffinity;
  sessionAffinityConfig?: SessionAffinityConfig;
  internalTrafficPolicy?: 'Cluster' | 'Local';
  trafficDistribution?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Clusters where the namespace exists, sorted: each gets a ServiceImport. */
  importers: ClusterId[];
  /** Every cluster with a ServiceExport of this key (valid or not), sorted by cluster id. */
  exporters: ExporterState[];
  /** Endpoints of each valid exporting cluster, limited to the ports that cluster exposes in the merged port list. */
  endpointsBySource: Map<ClusterId, EndpointGroup[]>;
}
