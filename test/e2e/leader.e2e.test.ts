// Two controller replicas on the same real member clusters with leader election: only the Lease holder writes,
// and when it stops the other takes over and writes what changed meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import { type ClusterSet, startClusterSet } from '../controlplane/index.ts';
import {
  clients,
  createExport,
  createNamespace,
  createService,
  eventually,
  getImport,
  type RunningController,
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
});
