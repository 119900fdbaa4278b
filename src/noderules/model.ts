// The node rules model. Two layers:
// - ServiceRuleModel: what a service is, independent of any node (built from a ServiceView in the controller, or from
//   a ServiceImport and its MCS EndpointSlices in the agent), so that both sides render with the same code;
// - NodeServiceRules: what one node must program for that service, after per-node endpoint selection.
import type {
  ClusterId,
  EndpointPort,
  IPFamily,
  Protocol,
  ServiceKey,
  ServicePort,
  SessionAffinity,
} from '../mcs/types.ts';

/** One endpoint of the service in some cluster, flattened from its EndpointSlice. */
export interface RuleBackend {
  cluster: ClusterId;
  /** The endpoint's first address (as kube-proxy, only the first address of an endpoint is used). */
  address: string;
  family: IPFamily;
  /** Ports this endpoint listens on (target ports), matched to service ports by name and protocol. */
  ports: EndpointPort[];
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  zone?: string;
}

/** A multi-cluster service as the node rules need it: node-independent. */
export interface ServiceRuleModel {
  key: ServiceKey;
  /** ClusterSetIPs; empty for a Headless import (which gets no rules). */
  ips: string[];
  ports: ServicePort[];
  sessionAffinity: SessionAffinity;
  /** Read for completeness; see docs/agent.md for why affinity is a hash of the client address. */
  affinityTimeoutSeconds?: number;
  internalTrafficPolicy: 'Cluster' | 'Local';
  trafficDistribution?: string;
  backends: RuleBackend[];
}

/** The node the rules are rendered for. */
export interface NodeContext {
  nodeName: string;
  /** The node's topology.kubernetes.io/zone label, when it has one. */
  zone?: string;
}

export interface RuleTarget {
  address: string;
  port: number;
}

/** One ClusterSetIP:port/protocol on one node. Slot i of the endpoint map is targets[i]. */
export interface PortRule {
  family: IPFamily;
  vip: string;
  protocol: Protocol;
  port: number;
  /** sessionAffinity ClientIP: the slot is a hash of the client address instead of a random number. */
  affinity: boolean;
  /** Sorted and deduplicated; empty means "reject: no endpoints". */
  targets: RuleTarget[];
}

/** Everything one node programs for one service. */
export interface NodeServiceRules {
  key: ServiceKey;
  vips: { family: IPFamily; address: string }[];
  ports: PortRule[];
}

export function familyOf(address: string): IPFamily {
  return address.includes(':') ? 'IPv6' : 'IPv4';
}
