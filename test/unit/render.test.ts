import { describe, expect, it } from 'vitest';
import { merge } from '../../src/mcs/merge.ts';
import { MAX_ENDPOINTS, renderEndpointSlices } from '../../src/mcs/render/endpointslices.ts';
import { renderServiceImport } from '../../src/mcs/render/serviceimport.ts';
import { allocatorOptions, cluster, exp, group, svc, T1 } from './mcs-fixtures.ts';

const ips = (n: number, base: number) => Array.from({ length: n }, (_, i) => `198.18.${base}.${i + 1}`);

describe('MCS EndpointSlices', () => {
  const view = merge(
    'demo/web',
    new Map([
      ['a', cluster({ export: exp(T1), service: svc(), endpoints: [group(ips(250, 1))] })],
      ['b', cluster({ export: exp(T1), service: svc(), endpoints: [group(ips(3, 2))] })],
    ]),
    allocatorOptions(),
  ).view!;
  const slices = renderEndpointSlices(view);

  it('holds one source cluster per slice, at most 100 endpoints each', () => {
    expect(
      slices.map((s) => [s.metadata.labels['multicluster.kubernetes.io/source-cluster'], s.endpoints.length]),
    ).toEqual([
      ['a', 100],
      ['a', 100],
      ['a', 50],
      ['b', 3],
    ]);
    expect(Math.max(...slices.map((s) => s.endpoints.length))).toBeLessThanOrEqual(MAX_ENDPOINTS);
  });

  it('carries the KEP labels and our managed-by value', () => {
    for (const s of slices) {
      expect(s.metadata.labels['multicluster.kubernetes.io/service-name']).toBe('web');
      expect(s.metadata.labels['endpointslice.kubernetes.io/managed-by']).not.toBe('endpointslice-controller.k8s.io');
      expect(s.metadata.labels['endpointslice.kubernetes.io/managed-by']).toBeTruthy();
    }
  });

  it('names slices from their content: unique, stable, DNS-safe', () => {
    const names = slices.map((s) => s.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(renderEndpointSlices(view).map((s) => s.metadata.name)).toEqual(names);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('carries ready, serving, terminating, hostname, nodeName and zone', () => {
    const v = merge(
      'demo/db',
      new Map([
        [
          'a',
          cluster({
            export: exp(T1),
            service: svc({ headless: true, clusterIPs: [] }),
            endpoints: [
              {
                addressType: 'IPv4',
                ports: [{ name: 'tcp', protocol: 'TCP', port: 42 }],
                endpoints: [
                  {
                    addresses: ['198.18.9.9'],
                    ready: false,
                    serving: true,
                    terminating: true,
                    hostname: 'db-0',
                    nodeName: 'n1',
                    zone: 'z1',
                  },
                ],
              },
            ],
          }),
        ],
      ]),
      allocatorOptions(),
    ).view!;
    expect(renderEndpointSlices(v)[0]?.endpoints[0]).toEqual({
      addresses: ['198.18.9.9'],
      conditions: { ready: false, serving: true, terminating: true },
      hostname: 'db-0',
      nodeName: 'n1',
      zone: 'z1',
    });
  });
});

describe('ServiceImport', () => {
  it('has no ips for Headless, and ips in family order for ClusterSetIP', () => {
    const headless = merge(
      'demo/h',
      new Map([['a', cluster({ export: exp(T1), service: svc({ headless: true, clusterIPs: [] }) })]]),
      allocatorOptions(),
    ).view!;
    expect(renderServiceImport(headless).spec.ips).toBeUndefined();
    const dual = merge(
      'demo/d',
      new Map([['a', cluster({ export: exp(T1), service: svc({ ipFamilies: ['IPv4', 'IPv6'] }) })]]),
      allocatorOptions(),
    ).view!;
    const si = renderServiceImport(dual);
    expect(si.spec.ipFamilies).toEqual(['IPv4', 'IPv6']);
    expect(si.spec.ips?.[0]).toMatch(/^198\.19\./);
    expect(si.spec.ips?.[1]).toContain(':');
    expect(si.status.clusters).toEqual([{ cluster: 'a' }]);
    expect(si.metadata.labels['app.kubernetes.io/managed-by']).toBe('clusterset');
  });
});
