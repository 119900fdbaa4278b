import { ApiException, type V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { type LeaseApi, LeaseStatusReporter, leaseFor } from './lease-status.ts';

// An in-memory Lease store with the API server's create/replace semantics (404, 409 on a stale resourceVersion).
function memoryLeases(): LeaseApi & { leases: Map<string, V1Lease> } {
  const leases = new Map<string, V1Lease>();
  let version = 0;
  const fail = (code: number) => new ApiException(code, 'error', {}, {});
  return {
    leases,
    async readNamespacedLease({ name, namespace }) {
      const lease = leases.get(`${namespace}/${name}`);
      if (lease === undefined) throw fail(404);
      return structuredClone(lease);
    },
    async createNamespacedLease({ namespace, body }) {
      const key = `${namespace}/${body.metadata?.name}`;
      if (leases.has(key)) throw fail(409);
      const stored = { ...body, metadata: { ...body.metadata, resourceVersion: String(++version) } };
      leases.set(key, stored);
      return stored;
    },
    async replaceNamespacedLease({ name, namespace, body }) {
      const key = `${namespace}/${name}`;
      const current = leases.get(key);
      if (current === undefined) throw fail(404);
      if (current.metadata?.resourceVersion !== body.metadata?.resourceVersion) throw fail(409);
      const stored = { ...body, metadata: { ...body.metadata, resourceVersion: String(++version) } };
      leases.set(key, stored);
      return stored;
    },
  };
}

const status = { nodeName: 'node-a', synced: true, healthy: true, generation: 7, services: 3 };

describe('LeaseStatusReporter', () => {
  it('creates the node Lease, then renews it with the new generation', async () => {
    const api = memoryLeases();
    const reporter = new LeaseStatusReporter({ api, namespace: 'clusterset-system' });
    await reporter.report(status);
    await reporter.report({ ...status, generation: 8, healthy: false, lastError: 'nft refused' });
    const lease = api.leases.get('clusterset-system/clusterset-agent-node-a');
    expect(lease?.spec?.holderIdentity).toBe('node-a');
    expect(lease?.metadata?.annotations).toMatchObject({
      'clusterset.io/applied-generation': '8',
      'clusterset.io/healthy': 'false',
      'clusterset.io/last-error': 'nft refused',
    });
    expect(lease?.metadata?.resourceVersion).toBe('2');
  });

  it('renders a Lease with a duration and a renew time', () => {
    const lease = leaseFor(status, 'ns', 40, new Date('2026-01-01T00:00:00Z'));
    expect(lease.spec?.leaseDurationSeconds).toBe(40);
    expect(lease.spec?.renewTime?.toISOString()).toMatch(/^2026-01-01T00:00:00/);
    expect(lease.metadata?.labels?.['app.kubernetes.io/name']).toBe('clusterset-agent');
  });
});
