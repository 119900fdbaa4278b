import { describe, expect, it } from 'vitest';
import { fromServiceImport, sliceServiceKey } from './from-import.ts';

const imp = {
  kind: 'ServiceImport',
  metadata: { namespace: 'demo', name: 'web' },
  spec: {
    type: 'ClusterSetIP',
    ips: ['198.19.0.10'],
    ports: [{ name: 'http', port: 80 }],
    sessionAffinity: 'ClientIP',
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    trafficDistribution: 'PreferClose',
  },
};

const slice = (cluster: string, extra: Record<string, unknown> = {}) => ({
  kind: 'EndpointSlice',
  metadata: {
    namespace: 'demo',
    name: `web-${cluster}`,
    labels: {
      'multicluster.kubernetes.io/service-name': 'web',
      'multicluster.kubernetes.io/source-cluster': cluster,
    },
  },
  addressType: 'IPv4',
  ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  endpoints: [{ addresses: ['198.18.2.2', '198.18.2.3'], nodeName: 'n1', zone: 'zone-a' }],
  ...extra,
});

describe('fromServiceImport', () => {
  it('reads the import and its MCS slices, with Kubernetes defaults for missing conditions', () => {
    const result = fromServiceImport(imp, [slice('east')]);
    expect(result).toEqual({
      ok: true,
      model: {
        key: 'demo/web',
        ips: ['198.19.0.10'],
        ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
        sessionAffinity: 'ClientIP',
        affinityTimeoutSeconds: 60,
        internalTrafficPolicy: 'Cluster',
        trafficDistribution: 'PreferClose',
        backends: [
          {
            cluster: 'east',
            address: '198.18.2.2',
            family: 'IPv4',
            ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
            ready: true,
            serving: true,
            terminating: false,
            nodeName: 'n1',
            zone: 'zone-a',
          },
        ],
      },
    });
  });

  it('skips FQDN slices and reads a Headless import as having no ClusterSetIP', () => {
    const headless = { ...imp, spec: { ...imp.spec, type: 'Headless' } };
    const result = fromServiceImport(headless, [slice('east', { addressType: 'FQDN' })]);
    expect(result.ok && result.model.ips).toEqual([]);
    expect(result.ok && result.model.backends).toEqual([]);
  });

  it('names the bad field of a malformed object', () => {
    const bad = fromServiceImport({ ...imp, spec: { ...imp.spec, ports: [{ name: 'x', port: 0 }] } }, []);
    expect(bad.ok === false && bad.error.message).toBe('demo/web: spec.ports[0].port 0 is not a port number');
    const noCluster = slice('east');
    noCluster.metadata.labels = {
      'multicluster.kubernetes.io/service-name': 'web',
    } as typeof noCluster.metadata.labels;
    const r = fromServiceImport(imp, [noCluster]);
    expect(r.ok === false && r.error.message).toMatch(/no multicluster.kubernetes.io\/source-cluster label/);
  });

  it('keys a slice by its service-name label, and ignores slices without MCS labels', () => {
    expect(sliceServiceKey(slice('east'))).toBe('demo/web');
    expect(sliceServiceKey({ metadata: { namespace: 'demo', name: 'web-abc', labels: {} } })).toBeUndefined();
  });
});
