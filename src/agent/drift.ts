// Drift: someone flushed or deleted our table, or a chain in it. Detected cheaply, without listing elements (a full
// listing at 100k services takes seconds): the chains and rule counts of `nft -j -t list table` must be what the
// state implies, and the generation element must be the one we last wrote. Tampering with single elements is not
// seen here; the agent's periodic full resync rewrites those.
import { isRecord } from '../mcs/kube-objects.ts';
import { expectedRuleCounts, GENERATION_SET } from '../noderules/nft-layout.ts';
import type { NodeRulesState } from '../noderules/state.ts';

export type DriftReport = { drifted: false } | { drifted: true; reason: string };

/** `tableJson`: output of `nft -j -t list table`; `generationJson`: of `nft -j list set … generation`. */
export function compareTable(state: NodeRulesState, tableJson: string, generationJson: string): DriftReport {
  const rules = new Map<string, number>();
  for (const item of entries(tableJson)) {
    if (isRecord(item.chain) && typeof item.chain.name === 'string') rules.set(item.chain.name, 0);
  }
  for (const item of entries(tableJson)) {
    if (isRecord(item.rule) && typeof item.rule.chain === 'string') {
      rules.set(item.rule.chain, (rules.get(item.rule.chain) ?? 0) + 1);
    }
  }
  for (const [chain, count] of expectedRuleCounts(state.chains, state.pickChains)) {
    const found = rules.get(chain);
    if (found === undefined) return { drifted: true, reason: `chain ${chain} is missing` };
    if (found !== count) return { drifted: true, reason: `chain ${chain} has ${found} rules, expected ${count}` };
  }
  let generation: unknown[] | undefined;
  for (const item of entries(generationJson)) {
    if (isRecord(item.set) && item.set.name === GENERATION_SET)
      generation = Array.isArray(item.set.elem) ? item.set.elem : [];
  }
  if (generation === undefined) return { drifted: true, reason: 'generation set is missing' };
  if (generation.length !== 1 || generation[0] !== state.generation) {
    return { drifted: true, reason: `generation is ${JSON.stringify(generation)}, expected ${state.generation}` };
  }
  return { drifted: false };
}

function entries(json: string): Record<string, unknown>[] {
  const parsed: unknown = JSON.parse(json);
  if (!isRecord(parsed) || !Array.isArray(parsed.nftables)) return [];
  return parsed.nftables.filter(isRecord);
}
