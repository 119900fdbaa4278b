import { describe, expect, it } from 'vitest';
import type { NodeContext, RuleBackend, ServiceRuleModel } from './model.ts';
import { selectNodeRules } from './select.ts';

const http = { name: 'http', protocol: 'TCP' as const, port: 8080 };

function backend(address: string, extra: Partial<RuleBackend> = {}): RuleBackend {
  return {
    cluster: 'east',
    address,
    family: 'IPv4',
    ports: [http],
    ready: true,
    serving: true,
    terminating: false,
    ...extra,
  };
}

function model(backends: RuleBackend[], extra: Partial<ServiceRuleModel> = {}): ServiceRuleModel {
  return {
    key: 'demo/web',
    ips: ['198.19.0.10'],
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster',
    backends,
    ...extra,
  };
}

const node: NodeContext = { nodeName: 'n1', zone: 'zone-a' };
const targets = (m: ServiceRuleModel, n = node) => selectNodeRules(m, n).ports.map((p) => p.targets);

describe('selectNodeRules', () => {
  it('maps each service port to the endpoints target port, sorted and deduplicated', () => {
    const m = model([backend('198.18.3.2'), backend('198.18.2.2'), backend('198.18.2.2', { cluster: 'west' })]);
    expect(selectNodeRules(m, node)).toEqual({
      key: 'demo/web',
      vips: [{ family: 'IPv4', address: '198.19.0.10' }],
      ports: [
        {
          family: 'IPv4',
          vip: '198.19.0.10',
          protocol: 'TCP',
          port: 80,
          affinity: false,
          targets: [
            { address: '198.18.2.2', port: 8080 },
            { address: '198.18.3.2', port: 8080 },
          ],
        },
      ],
    });
  });

  it('gives a port only to endpoints whose cluster exposes a port of that name and protocol', () => {
    const m = model([backend('198.18.2.2'), backend('198.18.3.2', { ports: [{ ...http, name: 'other' }] })]);
    expect(targets(m)).toEqual([[{ address: '198.18.2.2', port: 8080 }]]);
  });

  it('uses ready endpoints, and serving terminating ones only when none is ready', () => {
    const terminating = backend('198.18.3.2', { ready: false, serving: true, terminating: true });
    expect(targets(model([backend('198.18.2.2'), terminating]))).toEqual([[{ address: '198.18.2.2', port: 8080 }]]);
    expect(targets(model([terminating]))).toEqual([[{ address: '198.18.3.2', port: 8080 }]]);
    expect(targets(model([backend('198.18.3.2', { ready: false, serving: false })]))).toEqual([[]]);
  });

  it('keeps only this node endpoints with internalTrafficPolicy Local, even if none', () => {
    const m = model([backend('198.18.2.2', { nodeName: 'n1' }), backend('198.18.3.2', { nodeName: 'n2' })], {
      internalTrafficPolicy: 'Local',
    });
    expect(targets(m)).toEqual([[{ address: '198.18.2.2', port: 8080 }]]);
    expect(targets(m, { nodeName: 'n3' })).toEqual([[]]);
  });

  it('prefers the node zone with PreferClose and falls back to every endpoint when the zone has none', () => {
    const m = model([backend('198.18.2.2', { zone: 'zone-a' }), backend('198.18.3.2', { zone: 'zone-b' })], {
      trafficDistribution: 'PreferClose',
    });
    expect(targets(m)).toEqual([[{ address: '198.18.2.2', port: 8080 }]]);
    expect(targets(m, { nodeName: 'n1', zone: 'zone-c' })[0]).toHaveLength(2);
    expect(targets(m, { nodeName: 'n1' })[0]).toHaveLength(2);
    expect(targets({ ...m, trafficDistribution: undefined })[0]).toHaveLength(2);
  });

  it('PreferSameNode tries this node before the zone', () => {
    const m = model(
      [
        backend('198.18.2.2', { zone: 'zone-a', nodeName: 'n2' }),
        backend('198.18.3.2', { zone: 'zone-b', nodeName: 'n1' }),
      ],
      { trafficDistribution: 'PreferSameNode' },
    );
    expect(targets(m)).toEqual([[{ address: '198.18.3.2', port: 8080 }]]);
    expect(targets(m, { nodeName: 'n9', zone: 'zone-a' })).toEqual([[{ address: '198.18.2.2', port: 8080 }]]);
  });

  it('marks ports for affinity and renders one rule per ClusterSetIP family', () => {
    const v6 = '::ffff:198.19.0.10';
    const m = model([backend('198.18.2.2'), backend('::ffff:198.18.3.2', { family: 'IPv6' })], {
      ips: ['198.19.0.10', v6],
      sessionAffinity: 'ClientIP',
    });
    const rules = selectNodeRules(m, node);
    expect(rules.ports.map((p) => [p.family, p.vip, p.affinity, p.targets.map((t) => t.address)])).toEqual([
      ['IPv4', '198.19.0.10', true, ['198.18.2.2']],
      ['IPv6', v6, true, ['::ffff:198.18.3.2']],
    ]);
  });
});
