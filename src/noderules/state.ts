// What the agent believes is in its table: the desired rules of every service, the rules actually applied after
// ClusterSetIP conflicts are settled, the pick chains present and the generation counter. Pure data + pure helpers;
// the agent mutates it only through commitPlan(), after `nft` accepted the matching transaction.
import type { ServiceKey } from '../mcs/types.ts';
import { serviceChains } from './elements.ts';
import type { NodeServiceRules } from './model.ts';
import { pickChainName, precreatedPickChains } from './nft-layout.ts';

export interface NodeRulesState {
  table: string;
  generation: number;
  /** Every service's rules for this node, before conflict resolution. */
  desired: Map<ServiceKey, NodeServiceRules>;
  /** What is programmed: a ClusterSetIP claimed by two services goes to the smallest key (deterministic on every
   * node and across restarts); the other service's rules for that IP are left out until the conflict ends. */
  applied: Map<ServiceKey, NodeServiceRules>;
  /** ClusterSetIP → services whose desired rules use it. */
  claims: Map<string, Set<ServiceKey>>;
  /** Pick chains whose sets and links exist (full renders keep the used ones; deltas only add). */
  chains: Set<string>;
  /** Pick chains present in the table, linked or not: the precreated ones and every linked one. */
  pickChains: Set<string>;
}

export function emptyState(table: string): NodeRulesState {
  return {
    table,
    generation: 0,
    desired: new Map(),
    applied: new Map(),
    claims: new Map(),
    chains: new Set(),
    pickChains: new Set(),
  };
}

export function nextGeneration(generation: number): number {
  return (generation + 1) >>> 0;
}

/** A state holding exactly `desired`, as a full render programs it. */
export function buildState(table: string, desired: Iterable<NodeServiceRules>, generation: number): NodeRulesState {
  const state = emptyState(table);
  state.generation = generation >>> 0;
  for (const rules of desired) state.desired.set(rules.key, rules);
  for (const [key, rules] of state.desired) addClaims(state.claims, key, rules);
  for (const [key, rules] of state.desired) {
    const applied = resolveConflicts(rules, (vip) => ownerOf(state.claims, vip));
    if (applied !== undefined) state.applied.set(key, applied);
  }
  for (const rules of state.applied.values()) {
    for (const c of serviceChains(rules)) state.chains.add(pickChainName(c.family, c.affinity, c.count));
  }
  state.pickChains = new Set([...precreatedPickChains(), ...state.chains]);
  return state;
}

export function addClaims(claims: Map<string, Set<ServiceKey>>, key: ServiceKey, rules: NodeServiceRules): void {
  for (const vip of rules.vips) {
    let set = claims.get(vip.address);
    if (set === undefined) {
      set = new Set();
      claims.set(vip.address, set);
    }
    set.add(key);
  }
}

export function removeClaims(claims: Map<string, Set<ServiceKey>>, key: ServiceKey, rules: NodeServiceRules): void {
  for (const vip of rules.vips) {
    const set = claims.get(vip.address);
    set?.delete(key);
    if (set?.size === 0) claims.delete(vip.address);
  }
}

export function ownerOf(claims: Map<string, Set<ServiceKey>>, vip: string): ServiceKey | undefined {
  let owner: ServiceKey | undefined;
  for (const key of claims.get(vip) ?? []) if (owner === undefined || key < owner) owner = key;
  return owner;
}

/** The rules left once every ClusterSetIP owned by another service is dropped; undefined when nothing is left. */
export function resolveConflicts(
  rules: NodeServiceRules,
  owner: (vip: string) => ServiceKey | undefined,
): NodeServiceRules | undefined {
  const vips = rules.vips.filter((v) => owner(v.address) === rules.key);
  if (vips.length === 0) return undefined;
  if (vips.length === rules.vips.length) return rules;
  const kept = new Set(vips.map((v) => v.address));
  return { key: rules.key, vips, ports: rules.ports.filter((p) => kept.has(p.vip)) };
}

/** Services whose desired rules claim a ClusterSetIP that another service also claims. */
export function conflictedServices(state: NodeRulesState): ServiceKey[] {
  const out: ServiceKey[] = [];
  for (const [key, rules] of state.desired) {
    if (rules.vips.length > 0 && state.applied.get(key) !== rules) out.push(key);
  }
  return out.sort();
}
