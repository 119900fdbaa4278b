import { describe, expect, it } from 'vitest';
import { ObservedObjects } from '../../src/sources/observed.ts';

const slice = (rv: string, ip: string, managed = true) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: 'web-x',
    namespace: 'demo',
    resourceVersion: rv,
    labels: {
      'multicluster.kubernetes.io/service-name': 'web',
      ...(managed ? { 'endpointslice.kubernetes.io/managed-by': 'clusterset-controller.clusterset.io' } : {}),
    },
  },
  endpoints: [{ addresses: [ip] }],
});

describe('ObservedObjects', () => {
  it("keeps our own MCS slices by service, and no one else's", () => {
    const o = new ObservedObjects();
    expect(o.upsert(slice('5', '198.18.0.1'))).toBe('demo/web');
    expect(o.upsert(slice('6', '198.18.0.1', false))).toBeUndefined();
    expect(o.slices.get('demo/web')?.size).toBe(1);
  });

  it('ignores a watch event older than the copy recorded from our own write', () => {
    const o = new ObservedObjects();
    o.upsert(slice('10', '198.18.0.2')); // the API server's answer to our apply
    expect(o.upsert(slice('9', '198.18.0.1'))).toBeUndefined(); // the watch catching up
    expect(o.slices.get('demo/web')?.get('web-x')?.endpoints).toEqual([{ addresses: ['198.18.0.2'] }]);
    o.upsert(slice('11', '198.18.0.3'));
    expect(o.slices.get('demo/web')?.get('web-x')?.endpoints).toEqual([{ addresses: ['198.18.0.3'] }]);
  });

  it('tracks ServiceExport status and forgets it on delete', () => {
    const o = new ObservedObjects();
    const se = {
      apiVersion: 'multicluster.x-k8s.io/v1alpha1',
      kind: 'ServiceExport',
      metadata: { name: 'web', namespace: 'demo', resourceVersion: '3' },
      status: { conditions: [{ type: 'Valid' }] },
    };
    o.upsert(se);
    expect(o.exports.get('demo/web')).toEqual({
      apiVersion: 'multicluster.x-k8s.io/v1alpha1',
      conditions: [{ type: 'Valid' }],
    });
    o.delete(se);
    expect(o.exports.has('demo/web')).toBe(false);
    expect(o.upsert({ ...se, metadata: { ...se.metadata, resourceVersion: '1' } })).toBe('demo/web');
  });
});
