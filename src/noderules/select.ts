// Per-node endpoint selection: which endpoints this node sends a ClusterSetIP:port to. Pure; the same function gives
// the agent its rules and the controller's debug view any node's rules.
import type { IPFamily, ServicePort } from '../mcs/types.ts';
import {
  familyOf,
  type NodeContext,
  type NodeServiceRules,
  type PortRule,
  type RuleBackend,
  type RuleTarget,
  type ServiceRuleModel,
} from './model.ts';

interface Candidate {
  backend: RuleBackend;
  port: number;
}

export function selectNodeRules(model: ServiceRuleModel, node: NodeContext): NodeServiceRules {
  const vips = model.ips.map((address) => ({ family: familyOf(address), address }));
  const ports: PortRule[] = [];
  for (const vip of vips) {
    for (const servicePort of model.ports) {
      ports.push({
        family: vip.family,
        vip: vip.address,
        protocol: servicePort.protocol,
        port: servicePort.port,
        affinity: model.sessionAffinity === 'ClientIP',
        targets: targetsOf(model, node, vip.family, servicePort),
      });
    }
  }
  return { key: model.key, vips, ports };
}

function targetsOf(model: ServiceRuleModel, node: NodeContext, family: IPFamily, sp: ServicePort): RuleTarget[] {
  // The endpoint's own port for this service port, by name: MCS merges ports by name, and a constituent cluster that
  // does not expose the port contributes no endpoint to it (KEP-1645 port conflict rule).
  let candidates: Candidate[] = [];
  for (const backend of model.backends) {
    if (backend.family !== family) continue;
    const ep = backend.ports.find((p) => p.name === sp.name && p.protocol === sp.protocol);
    if (ep !== undefined) candidates.push({ backend, port: ep.port });
  }
  if (model.internalTrafficPolicy === 'Local') {
    candidates = candidates.filter((c) => c.backend.nodeName === node.nodeName);
  }
  candidates = usable(candidates);
  candidates = preferClose(candidates, node, model.trafficDistribution);
  return sortedTargets(candidates);
}

/** Ready endpoints; when none is ready, the serving terminating ones (as kube-proxy, KEP-1669), so that a rollout
 * that terminates the last pods still drains instead of refusing. */
function usable(candidates: Candidate[]): Candidate[] {
  const ready = candidates.filter((c) => c.backend.ready);
  if (ready.length > 0) return ready;
  return candidates.filter((c) => c.backend.serving && c.backend.terminating);
}

const SAME_ZONE = new Set(['PreferClose', 'PreferSameZone', 'PreferSameNode']);

/** PreferClose/PreferSameZone: the endpoints in this node's zone when there are any; PreferSameNode first tries this
 * node. The zone comes from each endpoint's zone field (MCS slices have no hints written for this cluster's nodes). */
function preferClose(candidates: Candidate[], node: NodeContext, distribution: string | undefined): Candidate[] {
  if (distribution === undefined || !SAME_ZONE.has(distribution)) return candidates;
  if (distribution === 'PreferSameNode') {
    const local = candidates.filter((c) => c.backend.nodeName === node.nodeName);
    if (local.length > 0) return local;
  }
  if (node.zone === undefined) return candidates;
  const zonal = candidates.filter((c) => c.backend.zone === node.zone);
  return zonal.length > 0 ? zonal : candidates;
}

function sortedTargets(candidates: Candidate[]): RuleTarget[] {
  const seen = new Map<string, RuleTarget>();
  for (const c of candidates) {
    const id = `${c.backend.address}|${c.port}`;
    if (!seen.has(id)) seen.set(id, { address: c.backend.address, port: c.port });
  }
  // Stable slot order: the same endpoint set always gives the same slot → endpoint map, whatever the input order.
  return [...seen.values()].sort((a, b) => compare(a.address, b.address) || a.port - b.port);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
