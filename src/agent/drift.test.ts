import { describe, expect, it } from 'vitest';
import { buildState } from '../noderules/state.ts';
import { compareTable } from './drift.ts';

const state = buildState('clusterset', [], 5);
const chainsOf = (counts: Map<string, number>) => {
  const items: Record<string, unknown>[] = [];
  for (const [name, n] of counts) {
    items.push({ chain: { name } });
    for (let i = 0; i < n; i++) items.push({ rule: { chain: name } });
  }
  return JSON.stringify({ nftables: [{ metainfo: {} }, { table: { name: 'clusterset' } }, ...items] });
};
const generation = (elem: number[]) => JSON.stringify({ nftables: [{ set: { name: 'generation', elem } }] });

function expected(): Map<string, number> {
  const out = new Map<string, number>([
    ['services', 3],
    ['service-ports', 0],
    ['no-endpoints', 1],
    ['nat-prerouting', 1],
    ['nat-output', 1],
  ]);
  for (const name of state.pickChains) out.set(name, 2);
  return out;
}

describe('compareTable', () => {
  it('accepts the table the state implies', () => {
    expect(compareTable(state, chainsOf(expected()), generation([5]))).toEqual({ drifted: false });
  });

  it('finds a flushed chain, a missing chain and a foreign generation', () => {
    const flushed = new Map(expected()).set('services', 0);
    expect(compareTable(state, chainsOf(flushed), generation([5]))).toEqual({
      drifted: true,
      reason: 'chain services has 0 rules, expected 3',
    });
    const missing = new Map(expected());
    missing.delete('nat-output');
    expect(compareTable(state, chainsOf(missing), generation([5]))).toMatchObject({ drifted: true });
    expect(compareTable(state, chainsOf(expected()), generation([4]))).toMatchObject({ drifted: true });
    expect(compareTable(state, chainsOf(expected()), generation([]))).toMatchObject({ drifted: true });
  });
});
