// One transaction for a few changed services: only the set/map elements that differ, plus any pick chain not yet
// in the table. Its size depends on what changed, never on how many services the node has.
import type { ServiceKey } from '../mcs/types.ts';
import { elementId, type RuleElement, serviceChains, serviceElements } from './elements.ts';
import type { NodeServiceRules } from './model.ts';
import { GENERATION_SET, pickChainName } from './nft-layout.ts';
import { elementText, pickChainLinkStatements, pushElements, tableRef } from './render-full.ts';
import { addClaims, type NodeRulesState, nextGeneration, ownerOf, removeClaims, resolveConflicts } from './state.ts';

export interface DeltaPlan {
  /** The `nft -f` text; empty when nothing in the kernel changes. */
  text: string;
  generation: number;
  desired: Map<ServiceKey, NodeServiceRules | undefined>;
  applied: Map<ServiceKey, NodeServiceRules | undefined>;
  newChains: string[];
  /** Element deletions plus additions: the size of the delta. */
  elementOps: number;
  /** A pick chain this delta needs does not exist and cannot be added by a delta: apply in full instead. */
  needsFull: boolean;
}

/** `changes`: the new desired rules of each changed service; undefined = the service is gone. */
export function planDelta(state: NodeRulesState, changes: Map<ServiceKey, NodeServiceRules | undefined>): DeltaPlan {
  const affectedVips = new Set<string>();
  for (const [key, next] of changes) {
    for (const v of state.desired.get(key)?.vips ?? []) affectedVips.add(v.address);
    for (const v of next?.vips ?? []) affectedVips.add(v.address);
  }
  // Claims after the change, only for the ClusterSetIPs it touches.
  const claimsAfter = new Map<string, Set<ServiceKey>>();
  for (const vip of affectedVips) claimsAfter.set(vip, new Set(state.claims.get(vip)));
  for (const [key, next] of changes) {
    const prev = state.desired.get(key);
    if (prev !== undefined) removeClaims(claimsAfter, key, prev);
    if (next !== undefined) addClaims(claimsAfter, key, next);
  }
  const ownerAfter = (vip: string): ServiceKey | undefined =>
    affectedVips.has(vip) ? ownerOf(claimsAfter, vip) : ownerOf(state.claims, vip);

  const affected = new Set<ServiceKey>(changes.keys());
  for (const vip of affectedVips) {
    for (const key of state.claims.get(vip) ?? []) affected.add(key);
    for (const key of claimsAfter.get(vip) ?? []) affected.add(key);
  }

  const deletes: RuleElement[] = [];
  const adds: RuleElement[] = [];
  const applied = new Map<ServiceKey, NodeServiceRules | undefined>();
  const newChains = new Set<string>();
  for (const key of [...affected].sort()) {
    const desired = changes.has(key) ? changes.get(key) : state.desired.get(key);
    const next = desired === undefined ? undefined : resolveConflicts(desired, ownerAfter);
    const prev = state.applied.get(key);
    if (next === prev) continue;
    applied.set(key, next);
    diffElements(prev, next, deletes, adds);
    for (const c of next === undefined ? [] : serviceChains(next)) {
      const name = pickChainName(c.family, c.affinity, c.count);
      if (!state.chains.has(name)) newChains.add(name);
    }
  }

  const generation = nextGeneration(state.generation);
  const plan: DeltaPlan = {
    text: '',
    generation,
    desired: changes,
    applied,
    newChains: [...newChains].sort(),
    elementOps: deletes.length + adds.length,
    needsFull: [...newChains].some((name) => !state.pickChains.has(name)),
  };
  if (plan.needsFull) return plan;
  if (plan.elementOps === 0 && plan.newChains.length === 0) return plan;

  const t = tableRef(state.table);
  // The generation swap goes first: if the table lost its elements behind our back, deleting the old generation
  // fails and the whole transaction is refused, which tells the agent to rebuild.
  const out: string[] = [
    `delete element ${t} ${GENERATION_SET} { ${state.generation} }`,
    `add element ${t} ${GENERATION_SET} { ${generation} }`,
  ];
  for (const name of plan.newChains) pickChainLinkStatements(out, t, name);
  for (const [set, list] of groupBySet(deletes, (e) => e.key)) pushElements(out, 'delete', t, set, list);
  for (const [set, list] of groupBySet(adds, elementText)) pushElements(out, 'add', t, set, list);
  out.push('');
  plan.text = out.join('\n');
  return plan;
}

/** Adopt a plan once `nft` has applied its text. */
export function commitPlan(state: NodeRulesState, plan: DeltaPlan): void {
  for (const [key, next] of plan.desired) {
    const prev = state.desired.get(key);
    if (prev !== undefined) removeClaims(state.claims, key, prev);
    if (next === undefined) state.desired.delete(key);
    else {
      state.desired.set(key, next);
      addClaims(state.claims, key, next);
    }
  }
  for (const [key, next] of plan.applied) {
    if (next === undefined) state.applied.delete(key);
    else state.applied.set(key, next);
  }
  for (const name of plan.newChains) state.chains.add(name);
  if (plan.text !== '') state.generation = plan.generation;
}

function diffElements(
  prev: NodeServiceRules | undefined,
  next: NodeServiceRules | undefined,
  deletes: RuleElement[],
  adds: RuleElement[],
): void {
  const before = new Map<string, RuleElement>();
  for (const e of prev === undefined ? [] : serviceElements(prev)) before.set(elementId(e), e);
  for (const e of next === undefined ? [] : serviceElements(next)) {
    const id = elementId(e);
    const old = before.get(id);
    before.delete(id);
    if (old !== undefined && old.value === e.value) continue;
    // A map element whose data changes is deleted and re-added in the same transaction (nft refuses to overwrite).
    if (old !== undefined) deletes.push(old);
    adds.push(e);
  }
  for (const old of before.values()) deletes.push(old);
}

function groupBySet(elements: RuleElement[], text: (e: RuleElement) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of elements) {
    let list = out.get(e.set);
    if (list === undefined) {
      list = [];
      out.set(e.set, list);
    }
    list.push(text(e));
  }
  return out;
}
