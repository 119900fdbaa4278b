// The controller's side: the merged ServiceView → the node-independent rule model. The debug view renders any
// node's rules from this, with the same code the agent uses.
import type { EndpointGroup, ServiceView } from '../mcs/types.ts';
import type { RuleBackend, ServiceRuleModel } from './model.ts';

export function fromServiceView(view: ServiceView): ServiceRuleModel {
  const backends: RuleBackend[] = [];
  const clusters = [...view.endpointsBySource.keys()].sort();
  for (const cluster of clusters) {
    for (const group of view.endpointsBySource.get(cluster) ?? []) backends.push(...backendsOfGroup(cluster, group));
  }
  const model: ServiceRuleModel = {
    key: view.key,
    ips: view.type === 'ClusterSetIP' ? [...view.ips] : [],
    ports: view.ports.map((p) => ({ ...p })),
    sessionAffinity: view.sessionAffinity,
    internalTrafficPolicy: view.internalTrafficPolicy ?? 'Cluster',
    backends,
  };
  const timeout = view.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout !== undefined) model.affinityTimeoutSeconds = timeout;
  if (view.trafficDistribution !== undefined) model.trafficDistribution = view.trafficDistribution;
  return model;
}

export function backendsOfGroup(cluster: string, group: EndpointGroup): RuleBackend[] {
  const out: RuleBackend[] = [];
  for (const ep of group.endpoints) {
    const address = ep.addresses[0];
    if (address === undefined) continue;
    const backend: RuleBackend = {
      cluster,
      address,
      family: group.addressType,
      ports: group.ports,
      ready: ep.ready,
      serving: ep.serving,
      terminating: ep.terminating,
    };
    if (ep.nodeName !== undefined) backend.nodeName = ep.nodeName;
    if (ep.zone !== undefined) backend.zone = ep.zone;
    out.push(backend);
  }
  return out;
}
