import { describe, expect, it } from 'vitest';
import { elementId, serviceElements } from './elements.ts';
import type { NodeServiceRules, PortRule } from './model.ts';
import { PRECREATED_COUNT } from './nft-layout.ts';
import { commitPlan, planDelta } from './plan-delta.ts';
import { renderFull, stateElements } from './render-full.ts';
import { buildState, conflictedServices } from './state.ts';

const VIP = '198.19.0.10';

function port(p: number, targets: string[], extra: Partial<PortRule> = {}): PortRule {
  return {
    family: 'IPv4',
    vip: VIP,
    protocol: 'TCP',
    port: p,
    affinity: false,
    targets: targets.map((address) => ({ address, port: 8080 })),
    ...extra,
  };
}

function rules(key: `${string}/${string}`, ports: PortRule[], vip = VIP): NodeServiceRules {
  return { key, vips: [{ family: 'IPv4', address: vip }], ports: ports.map((p) => ({ ...p, vip })) };
}

const web = rules('demo/web', [
  port(80, ['198.18.2.2', '198.18.3.2']),
  port(53, ['198.18.2.2', '198.18.3.2'], { protocol: 'UDP' }),
]);

describe('serviceElements', () => {
  it('puts a service whose ports share an endpoint count in one vip set, plus one element per endpoint', () => {
    expect(serviceElements(web)).toEqual([
      { set: 'pick4-2-vips', key: VIP },
      { set: 'endpoints4', key: `${VIP} . tcp . 80 . 0`, value: '198.18.2.2 . 8080' },
      { set: 'endpoints4', key: `${VIP} . tcp . 80 . 1`, value: '198.18.3.2 . 8080' },
      { set: 'endpoints4', key: `${VIP} . udp . 53 . 0`, value: '198.18.2.2 . 8080' },
      { set: 'endpoints4', key: `${VIP} . udp . 53 . 1`, value: '198.18.3.2 . 8080' },
    ]);
  });

  it('routes ports of different endpoint counts one by one, and the ClusterSetIP to reject', () => {
    const mixed = rules('demo/mixed', [port(80, ['198.18.2.2']), port(81, ['198.18.2.2', '198.18.3.2']), port(82, [])]);
    const sets = serviceElements(mixed).filter((e) => e.set !== 'endpoints4');
    expect(sets).toEqual([
      { set: 'no-endpoints-vips4', key: VIP },
      { set: 'pick4-1-ports', key: `${VIP} . tcp . 80` },
      { set: 'pick4-2-ports', key: `${VIP} . tcp . 81` },
    ]);
  });

  it('sends a service without endpoints to the no-endpoints set, and affinity to affinity chains', () => {
    expect(serviceElements(rules('demo/none', [port(80, [])]))).toEqual([{ set: 'no-endpoints-vips4', key: VIP }]);
    const sticky = rules('demo/sticky', [port(80, ['198.18.2.2'], { affinity: true })]);
    expect(serviceElements(sticky)[0]).toEqual({ set: 'affinity4-1-vips', key: VIP });
  });
});

describe('renderFull', () => {
  it('recreates the table in the same transaction and declares precreated and used chains', () => {
    const text = renderFull(buildState('clusterset', [web], 7));
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual(['add table inet clusterset', 'delete table inet clusterset']);
    expect(lines).toContain('add element inet clusterset generation { 7 }');
    expect(lines).toContain(
      'add rule inet clusterset pick4-2 dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map @endpoints4',
    );
    expect(lines).toContain(
      'add rule inet clusterset affinity6-3 dnat ip6 to ip6 daddr . meta l4proto . th dport . jhash ip6 saddr mod 3 seed 0x6d637331 map @endpoints6',
    );
    expect(lines).toContain(`add chain inet clusterset pick4-${PRECREATED_COUNT}`);
    expect(lines).toContain('add rule inet clusterset services ip daddr @pick4-2-vips goto pick4-2');
    expect(lines).not.toContain('add rule inet clusterset services ip daddr @pick4-3-vips goto pick4-3');
    expect(lines).toContain(`add element inet clusterset pick4-2-vips { ${VIP} }`);
  });
});

describe('planDelta', () => {
  it('changes only the elements of the changed service, swapping the generation first', () => {
    const other = rules('demo/other', [port(80, ['198.18.4.2', '198.18.4.3', '198.18.4.4'])], '198.19.0.11');
    const state = buildState('clusterset', [web, other], 1);
    const next = rules('demo/web', [port(80, ['198.18.3.2']), port(53, ['198.18.3.2'], { protocol: 'UDP' })]);
    const plan = planDelta(state, new Map([[web.key, next]]));
    expect(plan.text.split('\n')).toEqual([
      'delete element inet clusterset generation { 1 }',
      'add element inet clusterset generation { 2 }',
      'add set inet clusterset pick4-1-vips { type ipv4_addr; }',
      'add set inet clusterset pick4-1-ports { type ipv4_addr . inet_proto . inet_service; }',
      'add rule inet clusterset services ip daddr @pick4-1-vips goto pick4-1',
      'add rule inet clusterset service-ports ip daddr . meta l4proto . th dport @pick4-1-ports goto pick4-1',
      `delete element inet clusterset endpoints4 { ${VIP} . tcp . 80 . 0, ${VIP} . udp . 53 . 0, ${VIP} . tcp . 80 . 1, ${VIP} . udp . 53 . 1 }`,
      `delete element inet clusterset pick4-2-vips { ${VIP} }`,
      `add element inet clusterset pick4-1-vips { ${VIP} }`,
      `add element inet clusterset endpoints4 { ${VIP} . tcp . 80 . 0 : 198.18.3.2 . 8080, ${VIP} . udp . 53 . 0 : 198.18.3.2 . 8080 }`,
      '',
    ]);
    expect(plan.needsFull).toBe(false);
  });

  it('produces no transaction when nothing changes', () => {
    const state = buildState('clusterset', [web], 1);
    const plan = planDelta(state, new Map([[web.key, structuredClone(web)]]));
    expect(plan.text).toBe('');
  });

  it('asks for a full rebuild when a pick chain beyond the precreated ones is needed', () => {
    const state = buildState('clusterset', [web], 1);
    const many = Array.from({ length: PRECREATED_COUNT + 1 }, (_, i) => `198.18.5.${i + 1}`);
    expect(planDelta(state, new Map([[web.key, rules('demo/web', [port(80, many)])]])).needsFull).toBe(true);
  });

  it('gives a contested ClusterSetIP to the smallest key, and hands it over when that service goes', () => {
    const a = rules('demo/a', [port(80, ['198.18.2.2'])]);
    const b = rules('demo/b', [port(80, ['198.18.3.2'])]);
    const state = buildState('clusterset', [b], 1);
    const plan = planDelta(state, new Map([[a.key, a]]));
    commitPlan(state, plan);
    expect([...state.applied.keys()]).toEqual(['demo/a']);
    expect(conflictedServices(state)).toEqual(['demo/b']);
    commitPlan(state, planDelta(state, new Map([[a.key, undefined]])));
    expect([...state.applied.keys()]).toEqual(['demo/b']);
    expect(conflictedServices(state)).toEqual([]);
  });

  it('reaches, delta by delta, exactly the elements a full render of the final state writes', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const keys = Array.from({ length: 12 }, (_, i) => `demo/s${i}` as const);
    const vipOf = (i: number) => `198.19.1.${(i % 8) + 1}`; // shared ClusterSetIPs force conflicts
    const state = buildState('clusterset', [], 1);
    const desired = new Map<string, NodeServiceRules>();
    for (let step = 0; step < 300; step++) {
      const i = random(keys.length);
      const key = keys[i]!;
      const changes = new Map<`${string}/${string}`, NodeServiceRules | undefined>();
      if (random(4) === 0) {
        changes.set(key, undefined);
        desired.delete(key);
      } else {
        const eps = Array.from({ length: random(4) }, () => `198.18.2.${random(6) + 1}`);
        const r = rules(
          key,
          [port(80, [...new Set(eps)].sort()), port(53, eps.slice(0, 1), { protocol: 'UDP' })],
          vipOf(i),
        );
        changes.set(key, r);
        desired.set(key, r);
      }
      const plan = planDelta(state, changes);
      commitPlan(state, plan);
    }
    const fresh = buildState('clusterset', desired.values(), 1);
    const ids = (m: Map<string, { value?: string }>) => [...m].map(([id, e]) => `${id}=${e.value ?? ''}`).sort();
    expect(ids(stateElements(state))).toEqual(ids(stateElements(fresh)));
    expect(elementId({ set: 's', key: 'k' })).toBe('s\u0000k');
  });
});
