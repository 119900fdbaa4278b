import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/mcs/names.ts';
import {
  normaliseEndpointSlice,
  normaliseService,
  normaliseServiceExport,
  readClusterIdProperty,
} from '../../src/mcs/normalize.ts';

const service = (spec: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'demo' },
  spec,
});

describe('normaliseService', () => {
  it('applies the Kubernetes defaults', () => {
    const r = normaliseService(service({ clusterIP: '198.18.0.10', ports: [{ port: 80 }] }));
    expect(r.facts).toEqual({
      type: 'ClusterIP',
      headless: false,
      clusterIPs: ['198.18.0.10'],
      ipFamilies: ['IPv4'],
      ports: [{ name: '', protocol: 'TCP', port: 80 }],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    });
  });

  it('reads a headless service and a ClientIP affinity with the default timeout', () => {
    const r = normaliseService(
      service({ clusterIP: 'None', sessionAffinity: 'ClientIP', ports: [{ name: 'a', port: 1 }] }),
    );
    expect(r.facts?.headless).toBe(true);
    expect(r.facts?.clusterIPs).toEqual([]);
    expect(r.facts?.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  it.each([
    [{ ports: [{ port: 1 }, { port: 2 }] }, 'spec.ports[0].name'],
    [
      {
        ports: [
          { name: 'a', port: 1 },
          { name: 'a', port: 2 },
        ],
      },
      'spec.ports[1].name',
    ],
    [
      {
        ports: [
          { name: 'a', port: 1 },
          { name: 'b', port: 1 },
        ],
      },
      'spec.ports[1]',
    ],
    [{ ports: [{ name: 'a', port: 70000 }] }, 'spec.ports[0].port'],
    [{ ports: [{ name: 'a', port: 1, protocol: 'ICMP' }] }, 'spec.ports[0].protocol'],
    [{ ports: [{ name: 'Bad_Name', port: 1 }] }, 'spec.ports[0].name'],
    [{ type: 'Weird' }, 'spec.type'],
    [{ type: 'NodePort', clusterIP: 'None' }, 'spec.clusterIP'],
    [{ ipFamilies: ['IPv4', 'IPv4'] }, 'spec.ipFamilies'],
    [
      { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } },
      'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
    ],
  ])('reports a Service it cannot export: %j → %s', (spec, field) => {
    const r = normaliseService(service(spec));
    expect(r.key).toBe('demo/web');
    expect(r.unexportable).toBeInstanceOf(InputError);
    expect(r.unexportable?.field).toBe(field);
    expect(r.unexportable?.message).toContain('Service demo/web');
  });

  it('throws when the identity itself is missing', () => {
    expect(() => normaliseService({ kind: 'Service', metadata: { name: 'x' } })).toThrow(/metadata\.namespace/);
  });
});

describe('normaliseServiceExport', () => {
  it('reads timestamps as strings or Dates to one form', () => {
    const meta = { name: 'web', namespace: 'demo', generation: 3 };
    const a = normaliseServiceExport({
      apiVersion: 'multicluster.x-k8s.io/v1alpha1',
      kind: 'ServiceExport',
      metadata: { ...meta, creationTimestamp: '2026-01-01T00:00:00Z' },
    });
    const b = normaliseServiceExport({
      apiVersion: 'multicluster.x-k8s.io/v1beta1',
      kind: 'ServiceExport',
      metadata: { ...meta, creationTimestamp: new Date('2026-01-01T00:00:00Z') },
    });
    expect(a.facts.created).toBe('2026-01-01T00:00:00Z');
    expect(b.facts.created).toBe(a.facts.created);
    expect(a.facts.apiVersion).toBe('multicluster.x-k8s.io/v1alpha1');
    expect(a.facts.generation).toBe(3);
  });

  it('flags exported labels and annotations that cannot be copied to a ServiceImport', () => {
    const r = normaliseServiceExport({
      apiVersion: 'multicluster.x-k8s.io/v1beta1',
      kind: 'ServiceExport',
      metadata: { name: 'web', namespace: 'demo', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        exportedLabels: { team: 'x'.repeat(64), 'bad key!': 'a', ok: 'fine' },
        exportedAnnotations: { 'example.com/note': 'any text at all' },
      },
    });
    expect(r.facts.problem).toContain('spec.exportedLabels.team: the value is 64 characters long');
    expect(r.facts.problem).toContain('spec.exportedLabels: key "bad key!"');
    expect(r.facts.problem).not.toContain('exportedAnnotations');
  });

  it('names the field of a bad label value', () => {
    expect(() =>
      normaliseServiceExport({
        apiVersion: 'multicluster.x-k8s.io/v1beta1',
        kind: 'ServiceExport',
        metadata: { name: 'web', namespace: 'demo', creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { exportedLabels: { team: 7 } },
      }),
    ).toThrow(/ServiceExport demo\/web: spec\.exportedLabels\.team/);
  });
});

describe('normaliseEndpointSlice', () => {
  const slice = (
    extra: Record<string, unknown>,
    labels: Record<string, string> = { 'kubernetes.io/service-name': 'web' },
  ) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'demo', labels },
    addressType: 'IPv4',
    ...extra,
  });

  it('reads endpoints with their defaults and drops bad addresses with a reason', () => {
    const r = normaliseEndpointSlice(
      slice({
        ports: [{ name: 'http', port: 8080 }],
        endpoints: [
          { addresses: ['198.18.1.1'], hostname: 'web-0', nodeName: 'n1', zone: 'z1' },
          { addresses: ['fd00::1'], conditions: { ready: false } },
        ],
      }),
    );
    expect(r?.key).toBe('demo/web');
    expect(r?.group.endpoints).toEqual([
      {
        addresses: ['198.18.1.1'],
        ready: true,
        serving: true,
        terminating: false,
        hostname: 'web-0',
        nodeName: 'n1',
        zone: 'z1',
      },
    ]);
    expect(r?.dropped[0]).toContain('endpoints[1].addresses[0]');
  });

  it('ignores MCS slices, slices of no Service and FQDN slices', () => {
    expect(
      normaliseEndpointSlice(
        slice({}, { 'kubernetes.io/service-name': 'web', 'multicluster.kubernetes.io/service-name': 'web' }),
      ),
    ).toBeUndefined();
    expect(normaliseEndpointSlice(slice({}, {}))).toBeUndefined();
    expect(normaliseEndpointSlice(slice({ addressType: 'FQDN' }))).toBeUndefined();
  });
});

describe('readClusterIdProperty', () => {
  const prop = (name: string, value: unknown) => ({
    apiVersion: 'about.k8s.io/v1beta1',
    kind: 'ClusterProperty',
    metadata: { name },
    spec: { value },
  });
  it('reads and validates the cluster id', () => {
    expect(readClusterIdProperty(prop('cluster.clusterset.k8s.io', 'east.prod'))).toBe('east.prod');
    expect(readClusterIdProperty(prop('clusterset.k8s.io', 'x'))).toBeUndefined();
    expect(() => readClusterIdProperty(prop('cluster.clusterset.k8s.io', 'Not_Valid'))).toThrow(/spec\.value/);
  });
});
