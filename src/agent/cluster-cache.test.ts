import { describe, expect, it } from 'vitest';
import { ClusterCache } from './cluster-cache.ts';

const imp = (name: string) => ({
  metadata: { namespace: 'demo', name },
  spec: { type: 'ClusterSetIP', ips: ['198.19.0.10'], ports: [{ name: 'http', port: 80 }] },
});
const slice = (name: string, service: string) => ({
  metadata: {
    namespace: 'demo',
    name,
    labels: {
      'multicluster.kubernetes.io/service-name': service,
      'multicluster.kubernetes.io/source-cluster': 'east',
    },
  },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080 }],
  endpoints: [{ addresses: ['198.18.2.2'] }],
});

describe('ClusterCache', () => {
  it('is synced only after both lists and the Node', () => {
    const cache = new ClusterCache('n1');
    expect(cache.apply({ type: 'Replace', kind: 'ServiceImport', objects: [imp('web')] })).toEqual({ all: true });
    cache.apply({ type: 'Replace', kind: 'EndpointSlice', objects: [] });
    expect(cache.synced()).toBe(false);
    cache.apply({ type: 'Node', object: { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z' } } } });
    expect(cache.synced()).toBe(true);
    expect(cache.node()).toEqual({ nodeName: 'n1', zone: 'z' });
  });

  it('marks the services a slice moves between, and reads their models', () => {
    const cache = new ClusterCache('n1');
    cache.apply({ type: 'Replace', kind: 'ServiceImport', objects: [imp('web'), imp('api')] });
    expect(cache.apply({ type: 'Upsert', kind: 'EndpointSlice', object: slice('s1', 'web') })).toEqual({
      all: false,
      keys: new Set(['demo/web']),
    });
    const model = cache.model('demo/web');
    expect(model?.ok && model.model.backends.map((b) => b.address)).toEqual(['198.18.2.2']);
    expect(cache.apply({ type: 'Upsert', kind: 'EndpointSlice', object: slice('s1', 'api') })).toEqual({
      all: false,
      keys: new Set(['demo/web', 'demo/api']),
    });
    const after = cache.model('demo/web');
    expect(after?.ok && after.model.backends).toEqual([]);
    cache.apply({ type: 'Delete', kind: 'ServiceImport', object: imp('api') });
    expect(cache.model('demo/api')).toBeUndefined();
  });

  it('asks for a full rebuild only when the node zone really changes', () => {
    const cache = new ClusterCache('n1');
    const node = (zone: string) => ({ metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': zone } } });
    expect(cache.apply({ type: 'Node', object: node('a') })).toEqual({ all: true });
    expect(cache.apply({ type: 'Node', object: node('a') })).toEqual({ all: false, keys: new Set() });
  });
});
