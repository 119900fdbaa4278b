// Two controller replicas on the same real member clusters with leader election: only the Lease holder writes,
// and when it stops the other takes over and writes what changed meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import { silentLogger } from '../../src/log.ts';
import { type ClusterSet, startClusterSet } from '../controlplane/index.ts';
import {
  clients,
  createExport,
  createNamespace,
  createService,
  eventually,
  getImport,
  type RunningController,
  sleep,
  startController,
  uniqueNamespace,
} from './mcs-fixtures.ts';

let cs: ClusterSet;
let k: KubeClient[];
let a: RunningController;
let b: RunningController;

beforeAll(async () => {
  cs = await startClusterSet({ clusters: 2, names: ['c1', 'c2'] });
  k = clients(cs);
  a = await startController(cs, { leader: { identity: 'replica-a' } });
  await eventually(
    async () => a.elector?.leading,
    (l) => l === true,
    'replica a to lead',
  );
  b = await startController(cs, { leader: { identity: 'replica-b' } });
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await cs?.stop();
});

describe('leader election', () => {
  it('only the leader writes; the follower takes over when the leader stops', async () => {
    const ns = uniqueNamespace('lead');
    for (const c of k) await createNamespace(c, ns);
    await createService(k[0]!, ns, 'one');
    await createExport(k[0]!, ns, 'one');
    await eventually(
      () => getImport(k[1]!, ns, 'one'),
      (o) => o !== undefined,
      'the import written by the leader',
    );
    expect(b.elector?.leading).toBe(false);
    expect(await a.writes()).toBeGreaterThan(0);
    expect(await b.writes()).toBe(0);
    // The follower merged all the same: its view has the import.
    expect(b.controller.results().get(`${ns}/one`)?.view).toBeDefined();

    await a.stop(); // hands the Lease back
    await eventually(
      async () => b.elector?.leading,
      (l) => l === true,
      'replica b to lead',
      10_000,
    );
    await createService(k[0]!, ns, 'two');
    await createExport(k[0]!, ns, 'two');
    await eventually(
      () => getImport(k[1]!, ns, 'two'),
      (o) => o !== undefined,
      'an import written by the new leader',
    );
    expect(await b.writes()).toBeGreaterThan(0);
  });

  it('waits out a lease held by a replica that died, then takes it', async () => {
    const lease = (holder: string, renewed: Date) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'ghost-lease', namespace: 'default' },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: 3,
        renewTime: renewed.toISOString().replace('Z', '000Z'),
        leaseTransitions: 0,
      },
    });
    // A holder that renewed just now and then died (it never renews again).
    await k[0]!.request('POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', {
      body: lease('dead-replica', new Date()),
    });
    const changes: boolean[] = [];
    const elector = new LeaderElector({
      client: k[0]!,
      namespace: 'default',
      name: 'ghost-lease',
      identity: 'replica-c',
      logger: silentLogger,
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 300,
      onChange: (l) => changes.push(l),
    });
    const started = Date.now();
    elector.start();
    try {
      await sleep(1500);
      expect(elector.leading).toBe(false);
      await eventually(
        async () => elector.leading,
        (l) => l,
        'replica c to take the expired lease',
        10_000,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
      const held = await k[0]!.request<{ spec: { holderIdentity: string; leaseTransitions: number } }>(
        'GET',
        '/apis/coordination.k8s.io/v1/namespaces/default/leases/ghost-lease',
      );
      expect(held.spec).toMatchObject({ holderIdentity: 'replica-c', leaseTransitions: 1 });
      expect(changes).toEqual([true]);
    } finally {
      await elector.stop();
    }
  });
});
