import { describe, expect, it } from 'vitest';
import { ClusterStore } from '../../src/sources/cluster-store.ts';

const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const svc = (name: string, port = 80) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'demo' },
  spec: { ports: [{ port }] },
});
const exp = (name: string) => ({
  apiVersion: 'multicluster.x-k8s.io/v1beta1',
  kind: 'ServiceExport',
  metadata: { name, namespace: 'demo', creationTimestamp: '2026-01-01T00:00:00Z' },
});
const slice = (name: string, service: string, ip: string) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'demo', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports: [{ name: '', port: 8080 }],
  endpoints: [{ addresses: [ip] }],
});

describe('ClusterStore', () => {
  it('reports only the keys whose facts changed', () => {
    const s = new ClusterStore();
    expect([...s.apply(svc('a')).keys]).toEqual(['demo/a']);
    expect([...s.apply(svc('a')).keys]).toEqual([]);
    expect([...s.apply(svc('a', 81)).keys]).toEqual(['demo/a']);
  });

  it('merges the slices of one service and finds a slice again on delete', () => {
    const s = new ClusterStore();
    s.apply(slice('a-1', 'a', '198.18.0.1'));
    s.apply(slice('a-2', 'a', '198.18.0.2'));
    expect(s.snapshot('demo/a').endpoints[0]?.endpoints.map((e) => e.addresses[0])).toEqual([
      '198.18.0.1',
      '198.18.0.2',
    ]);
    const changes = s.delete({ kind: 'EndpointSlice', metadata: { name: 'a-1', namespace: 'demo' } });
    expect([...changes.keys]).toEqual(['demo/a']);
    expect(s.snapshot('demo/a').endpoints[0]?.endpoints).toHaveLength(1);
  });

  it('moves a slice whose service label changed', () => {
    const s = new ClusterStore();
    s.apply(slice('x', 'a', '198.18.0.1'));
    const changes = s.apply(slice('x', 'b', '198.18.0.1'));
    expect([...changes.keys].sort()).toEqual(['demo/a', 'demo/b']);
    expect(s.snapshot('demo/a').endpoints).toEqual([]);
  });

  it('swaps a kind at once on replace, and returns objects it cannot read', () => {
    const s = new ClusterStore();
    s.replace('ServiceExport', [exp('a'), exp('b')]);
    const { changes, errors } = s.replace('ServiceExport', [
      exp('b'),
      exp('c'),
      { kind: 'ServiceExport', apiVersion: 'x', metadata: { name: 'd', namespace: 'demo' } },
    ]);
    expect([...changes.keys].sort()).toEqual(['demo/a', 'demo/c']);
    expect(errors[0]?.error.field).toBe('metadata.creationTimestamp');
    expect(s.exportCount).toBe(2);
    expect([...s.exportedKeysIn('demo')].sort()).toEqual(['demo/b', 'demo/c']);
  });

  it('tracks namespaces, explicitly or implicitly', () => {
    const explicit = new ClusterStore();
    explicit.apply(svc('a'));
    expect(explicit.namespaceExists('demo')).toBe(false);
    expect([...explicit.apply(ns('demo')).namespaces]).toEqual(['demo']);
    expect(explicit.snapshot('demo/a').namespaceExists).toBe(true);
    const implicit = new ClusterStore({ implicitNamespaces: true });
    expect([...implicit.apply(svc('a')).namespaces]).toEqual(['demo']);
    expect([...implicit.delete(svc('a')).namespaces]).toEqual(['demo']);
    expect(implicit.namespaceExists('demo')).toBe(false);
  });

  it('reads the cluster id property and refuses unknown kinds', () => {
    const s = new ClusterStore();
    const prop = {
      apiVersion: 'about.k8s.io/v1beta1',
      kind: 'ClusterProperty',
      metadata: { name: 'cluster.clusterset.k8s.io' },
      spec: { value: 'east' },
    };
    expect(s.apply(prop).clusterIdChanged).toBe(true);
    expect(s.clusterIdProperty).toBe('east');
    expect(s.delete(prop).clusterIdChanged).toBe(true);
    expect(() => s.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'demo' } })).toThrow(
      /kind: "Pod" is not a kind clusterset reads/,
    );
  });
});
