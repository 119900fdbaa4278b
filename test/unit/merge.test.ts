// The KEP-1645 rules of the merge, case by case (reference/mcs-spec.md §1.3–1.8 and the conformance
// cases of §4 that need no pods).
import { describe, expect, it } from 'vitest';
import { merge } from '../../src/mcs/merge.ts';
import type { ClusterFacts, Condition, ExporterState } from '../../src/mcs/types.ts';
import { allocatorOptions, cluster, exp, group, svc, T1, T2, T3 } from './mcs-fixtures.ts';

const KEY = 'demo/hello' as const;
const run = (clusters: Record<string, ClusterFacts>) =>
  merge(KEY, new Map(Object.entries(clusters)), allocatorOptions());
const cond = (e: ExporterState | undefined, type: string): Condition | undefined =>
  e?.conditions.find((c) => c.type === type);
const of = (r: ReturnType<typeof run>, c: string) => r.exporters.find((e) => e.cluster === c);

describe('validity of a ServiceExport', () => {
  it.each([
    ['a Service of type ClusterIP', { service: svc() }, 'True', 'Valid'],
    ['a NodePort Service', { service: svc({ type: 'NodePort' }) }, 'True', 'Valid'],
    ['a LoadBalancer Service', { service: svc({ type: 'LoadBalancer' }) }, 'True', 'Valid'],
    ['no Service', {}, 'False', 'NoService'],
    [
      'an ExternalName Service (conformance 14)',
      { service: svc({ type: 'ExternalName', clusterIPs: [], ports: [] }) },
      'False',
      'InvalidServiceType',
    ],
    [
      'a Service we cannot express',
      { service: undefined, serviceProblem: 'spec.ports[1].name: is required' },
      'False',
      'InvalidService',
    ],
  ] as const)('%s', (_title, facts, status, reason) => {
    const r = run({ a: cluster({ export: exp(T1), ...facts }) });
    const valid = cond(of(r, 'a'), 'Valid');
    expect(valid?.status).toBe(status);
    expect(valid?.reason).toBe(reason);
    expect(r.view === undefined).toBe(status === 'False');
    if (reason === 'InvalidService') expect(valid?.message).toContain('spec.ports[1].name');
  });

  it('reports Ready=False Pending for a missing Service and Failed for the wrong type', () => {
    const r = run({
      a: cluster({ export: exp(T1) }),
      b: cluster({ export: exp(T1), service: svc({ type: 'ExternalName', ports: [] }) }),
    });
    expect(cond(of(r, 'a'), 'Ready')).toMatchObject({ status: 'False', reason: 'Pending' });
    expect(cond(of(r, 'b'), 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
  });

  it('reports conditions in the order Valid, Ready, Conflict with exact strings', () => {
    const r = run({ a: cluster({ export: exp(T1), service: svc() }) });
    expect(of(r, 'a')?.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Valid', 'True', 'Valid'],
      ['Ready', 'True', 'Exported'],
      ['Conflict', 'False', 'NoConflicts'],
    ]);
  });
});

describe('ServiceImport lifecycle (conformance 1, 4, 12)', () => {
  it('imports into every cluster where the namespace exists, exporters included', () => {
    const r = run({
      a: cluster({ export: exp(T1), service: svc() }),
      b: cluster(),
      c: cluster({ namespaceExists: false }),
    });
    expect(r.view?.importers).toEqual(['a', 'b']);
    expect(r.view?.type).toBe('ClusterSetIP');
  });

  it('keeps the import while one export is left, and drops it with the last', () => {
    const both = run({
      a: cluster({ export: exp(T1), service: svc() }),
      b: cluster({ export: exp(T2), service: svc() }),
    });
    expect(both.view?.exporters.map((e) => e.cluster)).toEqual(['a', 'b']);
    const one = run({ a: cluster({ service: svc() }), b: cluster({ export: exp(T2), service: svc() }) });
    expect(one.view?.importers).toEqual(['a', 'b']);
    const none = run({ a: cluster({ service: svc() }), b: cluster({ service: svc() }) });
    expect(none.view).toBeUndefined();
    expect(none.exporters).toEqual([]);
  });

  it('a Service without its own ServiceExport is not exported even when others export the name', () => {
    const r = run({
      a: cluster({ export: exp(T1), service: svc(), endpoints: [group(['198.18.1.1'])] }),
      b: cluster({ service: svc(), endpoints: [group(['198.18.2.1'])] }),
    });
    expect([...(r.view?.endpointsBySource.keys() ?? [])]).toEqual(['a']);
  });

  it('makes a Headless import without IPs (conformance 12, 13)', () => {
    const r = run({ a: cluster({ export: exp(T1), service: svc({ headless: true, clusterIPs: [] }) }) });
    expect(r.view?.type).toBe('Headless');
    expect(r.view?.ips).toEqual([]);
  });
});

describe('fields copied from the Service (conformance 5–9)', () => {
  it('carries sessionAffinity, its config, internalTrafficPolicy and trafficDistribution', () => {
    const r = run({
      a: cluster({
        export: exp(T1),
        service: svc({
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } },
          internalTrafficPolicy: 'Local',
          trafficDistribution: 'PreferClose',
        }),
      }),
    });
    expect(r.view).toMatchObject({
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } },
      internalTrafficPolicy: 'Local',
      trafficDistribution: 'PreferClose',
    });
  });

  it('allocates one IP per family, in the order of ipFamilies (conformance 8)', () => {
    const r = run({ a: cluster({ export: exp(T1), service: svc({ ipFamilies: ['IPv6', 'IPv4'] }) }) });
    expect(r.view?.ipFamilies).toEqual(['IPv6', 'IPv4']);
    expect(r.view?.ips).toHaveLength(2);
    expect(r.view?.ips[0]).toMatch(/^fd00:c1a5::/);
    expect(r.view?.ips[1]).toMatch(/^198\.19\./);
  });

  it('copies the ports with name, protocol, port and appProtocol (conformance 9)', () => {
    const ports = [
      { name: 'tcp', protocol: 'TCP', port: 42, appProtocol: 'http' },
      { name: 'udp', protocol: 'UDP', port: 42 },
    ] as const;
    const r = run({ a: cluster({ export: exp(T1), service: svc({ ports: ports.map((p) => ({ ...p })) }) }) });
    expect(r.view?.ports).toEqual(ports);
  });

  it('takes labels and annotations from the ServiceExport spec only (conformance 2)', () => {
    const r = run({
      a: cluster({
        export: exp(T1, { exportedLabels: { team: 'a' }, exportedAnnotations: { note: 'x' } }),
        service: svc(),
      }),
    });
    expect(r.view?.labels).toEqual({ team: 'a' });
    expect(r.view?.annotations).toEqual({ note: 'x' });
  });

  it('fails the export when no ClusterSetIP range exists for its family', () => {
    const opts = allocatorOptions({ IPv4: '198.19.0.0/16' } as never);
    const r = merge(KEY, new Map([['a', cluster({ export: exp(T1), service: svc({ ipFamilies: ['IPv6'] }) })]]), opts);
    expect(r.view).toBeUndefined();
    expect(cond(of(r, 'a'), 'Ready')).toMatchObject({ status: 'False', reason: 'Failed' });
    expect(cond(of(r, 'a'), 'Ready')?.message).toContain('IPv6');
  });
});

describe('conflict resolution: the oldest export wins (§1.6)', () => {
  const conflictCases: [
    string,
    Partial<ClusterFacts>,
    Partial<ClusterFacts>,
    string,
    (v: NonNullable<ReturnType<typeof run>['view']>) => unknown,
    unknown,
  ][] = [
    [
      'type (conformance 15)',
      { service: svc() },
      { service: svc({ headless: true, clusterIPs: [] }) },
      'TypeConflict',
      (v) => v.type,
      'ClusterSetIP',
    ],
    [
      'sessionAffinity',
      { service: svc() },
      { service: svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } }) },
      'SessionAffinityConflict',
      (v) => v.sessionAffinity,
      'None',
    ],
    [
      'sessionAffinityConfig',
      { service: svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } } }) },
      { service: svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 20 } } }) },
      'SessionAffinityConfigConflict',
      (v) => v.sessionAffinityConfig?.clientIP?.timeoutSeconds,
      10,
    ],
    [
      'internalTrafficPolicy',
      { service: svc() },
      { service: svc({ internalTrafficPolicy: 'Local' }) },
      'InternalTrafficPolicyConflict',
      (v) => v.internalTrafficPolicy,
      'Cluster',
    ],
    [
      'trafficDistribution',
      { service: svc({ trafficDistribution: 'PreferClose' }) },
      { service: svc() },
      'TrafficDistributionConflict',
      (v) => v.trafficDistribution,
      'PreferClose',
    ],
    [
      'ipFamilies',
      { service: svc() },
      { service: svc({ ipFamilies: ['IPv6'] }) },
      'IPFamilyConflict',
      (v) => v.ipFamilies,
      ['IPv4'],
    ],
  ];

  it.each(conflictCases)('%s', (_t, older, newer, reason, pick, expected) => {
    const r = run({ a: cluster({ export: exp(T1), ...older }), b: cluster({ export: exp(T2), ...newer }) });
    for (const c of ['a', 'b']) expect(cond(of(r, c), 'Conflict')).toMatchObject({ status: 'True', reason });
    expect(pick(r.view!)).toEqual(expected);
    const message = cond(of(r, 'a'), 'Conflict')?.message ?? '';
    expect(message).toContain('1/2 clusters disagree');
    expect(message).toContain('"a"');
  });

  it('labels and annotations: the older export keeps its own (conformance 3)', () => {
    const r = run({
      a: cluster({
        export: exp(T2, { exportedLabels: { l: 'b-new' }, exportedAnnotations: { n: 'b' } }),
        service: svc(),
      }),
      b: cluster({
        export: exp(T1, { exportedLabels: { l: 'a-old' }, exportedAnnotations: { n: 'a' } }),
        service: svc(),
      }),
    });
    expect(cond(of(r, 'a'), 'Conflict')).toMatchObject({
      status: 'True',
      reason: 'LabelsConflict,AnnotationsConflict',
    });
    expect(r.view?.labels).toEqual({ l: 'a-old' });
    expect(r.view?.annotations).toEqual({ n: 'a' });
  });

  it('compares ipFamilies only among exports of the winning type', () => {
    const r = run({
      a: cluster({ export: exp(T1), service: svc() }),
      b: cluster({ export: exp(T2), service: svc({ headless: true, clusterIPs: [], ipFamilies: ['IPv4', 'IPv6'] }) }),
    });
    expect(cond(of(r, 'a'), 'Conflict')?.reason).toBe('TypeConflict');
  });

  it('joins several reasons with commas, the same on every constituent', () => {
    const r = run({
      a: cluster({ export: exp(T1), service: svc() }),
      b: cluster({ export: exp(T2), service: svc({ headless: true, clusterIPs: [], internalTrafficPolicy: 'Local' }) }),
    });
    expect(cond(of(r, 'a'), 'Conflict')?.reason).toBe('TypeConflict,InternalTrafficPolicyConflict');
    expect(cond(of(r, 'b'), 'Conflict')).toEqual(cond(of(r, 'a'), 'Conflict'));
  });

  it('breaks equal creation timestamps by cluster id, whatever the map order', () => {
    const facts = {
      x: cluster({ export: exp(T1), service: svc({ internalTrafficPolicy: 'Local' }) }),
      m: cluster({ export: exp(T1), service: svc() }),
    };
    const r1 = run(facts);
    const r2 = merge(KEY, new Map(Object.entries(facts).reverse()), allocatorOptions());
    expect(r1.view?.internalTrafficPolicy).toBe('Cluster');
    expect(r2.view?.internalTrafficPolicy).toBe('Cluster');
    expect(cond(of(r1, 'x'), 'Conflict')?.message).toContain('"m"');
  });

  it('counts the clusters that disagree out of all constituents', () => {
    const r = run({
      a: cluster({ export: exp(T1), service: svc() }),
      b: cluster({ export: exp(T2), service: svc({ internalTrafficPolicy: 'Local' }) }),
      c: cluster({ export: exp(T3), service: svc({ internalTrafficPolicy: 'Local' }) }),
    });
    expect(cond(of(r, 'c'), 'Conflict')?.message).toContain('2/3 clusters disagree');
  });

  it('leaves invalid exports out of the conflict count', () => {
    const r = run({
      a: cluster({ export: exp(T1), service: svc() }),
      b: cluster({ export: exp(T2) }),
    });
    expect(cond(of(r, 'a'), 'Conflict')?.status).toBe('False');
    expect(r.view?.importers).toEqual(['a', 'b']);
  });
});

describe('ports across clusters (conformance 10, 11)', () => {
  it('exposes the union and raises PortConflict when the lists differ', () => {
    const r = run({
      a: cluster({
        export: exp(T1),
        service: svc({
          ports: [
            { name: 'tcp', protocol: 'TCP', port: 42 },
            { name: 'udp', protocol: 'UDP', port: 42 },
          ],
        }),
      }),
      b: cluster({
        export: exp(T2),
        service: svc({
          ports: [
            { name: 'tcp', protocol: 'TCP', port: 42 },
            { name: 'stcp', protocol: 'SCTP', port: 142 },
          ],
        }),
      }),
    });
    expect(r.view?.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`)).toEqual([
      'tcp/TCP/42',
      'udp/UDP/42',
      'stcp/SCTP/142',
    ]);
    for (const c of ['a', 'b'])
      expect(cond(of(r, c), 'Conflict')).toMatchObject({ status: 'True', reason: 'PortConflict' });
  });

  it('keeps the older port when a name clashes, and says which port was left out', () => {
    const r = run({
      a: cluster({ export: exp(T1), service: svc({ ports: [{ name: 'tcp', protocol: 'TCP', port: 42 }] }) }),
      b: cluster({ export: exp(T2), service: svc({ ports: [{ name: 'tcp', protocol: 'TCP', port: 43 }] }) }),
    });
    expect(r.view?.ports).toEqual([{ name: 'tcp', protocol: 'TCP', port: 42 }]);
    expect(cond(of(r, 'b'), 'Conflict')?.message).toContain('tcp 43/TCP from "b"');
  });

  it('keeps the older port when protocol and number clash under another name', () => {
    const r = run({
      a: cluster({ export: exp(T1), service: svc({ ports: [{ name: 'web', protocol: 'TCP', port: 80 }] }) }),
      b: cluster({ export: exp(T2), service: svc({ ports: [{ name: 'http', protocol: 'TCP', port: 80 }] }) }),
    });
    expect(r.view?.ports).toEqual([{ name: 'web', protocol: 'TCP', port: 80 }]);
  });

  it('identical port lists in another order are no conflict', () => {
    const p1 = { name: 'a', protocol: 'TCP', port: 1 } as const;
    const p2 = { name: 'b', protocol: 'UDP', port: 2 } as const;
    const r = run({
      a: cluster({ export: exp(T1), service: svc({ ports: [p1, p2] }) }),
      b: cluster({ export: exp(T2), service: svc({ ports: [p2, p1] }) }),
    });
    expect(cond(of(r, 'a'), 'Conflict')?.status).toBe('False');
  });

  it('sends a port only to the endpoints of clusters that expose it', () => {
    const r = run({
      a: cluster({ export: exp(T1), service: svc(), endpoints: [group(['198.18.1.1'])] }),
      b: cluster({
        export: exp(T2),
        service: svc({
          ports: [
            { name: 'tcp', protocol: 'TCP', port: 4242 },
            { name: 'tcp2', protocol: 'TCP', port: 4343 },
          ],
        }),
        endpoints: [
          group(['198.18.2.1'], {
            ports: [
              { name: 'tcp', protocol: 'TCP', port: 42 },
              { name: 'tcp2', protocol: 'TCP', port: 43 },
            ],
          }),
        ],
      }),
    });
    expect(r.view?.ports.map((p) => p.name)).toEqual(['tcp', 'tcp2']);
    expect(r.view?.endpointsBySource.get('a')?.[0]?.ports.map((p) => p.name)).toEqual(['tcp']);
    expect(r.view?.endpointsBySource.get('b')?.[0]?.ports.map((p) => p.name)).toEqual(['tcp2']);
  });
});

describe('endpoints', () => {
  it('groups endpoints by source cluster and leaves out families the import does not have', () => {
    const r = run({
      a: cluster({
        export: exp(T1),
        service: svc(),
        endpoints: [group(['198.18.1.1', '198.18.1.2']), group(['fd00:1::1'], { addressType: 'IPv6' })],
      }),
      b: cluster({ export: exp(T2), service: svc(), endpoints: [group(['198.18.2.1'])] }),
    });
    expect(r.view?.endpointsBySource.get('a')).toHaveLength(1);
    expect(r.view?.endpointsBySource.get('a')?.[0]?.endpoints).toHaveLength(2);
    expect(r.view?.endpointsBySource.get('b')?.[0]?.endpoints[0]?.addresses).toEqual(['198.18.2.1']);
  });

  it('keeps every endpoint of a headless service without ports', () => {
    const r = run({
      a: cluster({
        export: exp(T1),
        service: svc({ headless: true, clusterIPs: [], ports: [] }),
        endpoints: [group(['198.18.1.1'], { ports: [] })],
      }),
    });
    expect(r.view?.endpointsBySource.get('a')?.[0]?.endpoints).toHaveLength(1);
  });
});
