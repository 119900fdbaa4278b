// The controller against member clusters that misbehave: an API server that stops and comes back, watches the
// server closes, resourceVersions that expire (410 Gone), and objects the API server accepts but MCS cannot
// express. Real kube-apiservers and etcd throughout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import { type ClusterSet, startClusterSet } from '../controlplane/index.ts';
import {
  applySlice,
  clients,
  condition,
  consistently,
  createExport,
  createNamespace,
  createService,
  eventually,
  getExportConditions,
  getImport,
  mcsSlices,
  type RunningController,
  sleep,
  startController,
  uniqueNamespace,
} from './mcs-fixtures.ts';

const GRACE_MS = 5000;
let cs: ClusterSet;
let k: KubeClient[];
let ctl: RunningController;

beforeAll(async () => {
  cs = await startClusterSet({ clusters: 3, names: ['c1', 'c2', 'c3'] });
  k = clients(cs);
  // Short server-side watch timeouts: every watch is closed by the server every few seconds.
  ctl = await startController(cs, { gracePeriodMs: GRACE_MS, watchTimeoutSeconds: 3 });
});
afterAll(async () => {
  await ctl?.stop();
  await cs?.stop();
});

const sourceStats = (i: number) => Object.values(ctl.sources[i]!.reflectorStats());
const sum = (i: number, f: 'lists' | 'watches' | 'gone' | 'errors') => sourceStats(i).reduce((a, s) => a + s[f], 0);
const endpointsBySource = async (i: number, ns: string) =>
  Object.fromEntries(
    (await mcsSlices(k[i]!, ns, 'hello')).map((s) => [
      ((s.metadata?.labels ?? {}) as Record<string, string>)['multicluster.kubernetes.io/source-cluster'],
      (s.endpoints as { addresses: string[] }[]).flatMap((e) => e.addresses),
    ]),
  );

describe('member clusters that misbehave', () => {
  it('keeps following changes across watches the server closes', async () => {
    const ns = uniqueNamespace('rwatch');
    for (const c of k) await createNamespace(c, ns);
    await createService(k[0]!, ns, 'hello');
    await createExport(k[0]!, ns, 'hello');
    await eventually(
      () => getImport(k[1]!, ns, 'hello'),
      (o) => o !== undefined,
      'import',
    );
    const watchesBefore = sum(0, 'watches');
    await sleep(7000); // at least one server-side close of every watch
    expect(sum(0, 'watches')).toBeGreaterThan(watchesBefore);
    expect(sum(0, 'errors')).toBe(0);
    await applySlice(k[0]!, ns, 'hello', 'hello-w', ['198.18.50.1']);
    await eventually(
      () => endpointsBySource(2, ns),
      (e) => e.c1?.[0] === '198.18.50.1',
      'the new endpoint after the watch was re-opened',
    );
  });

  it('survives a member API server that stops and comes back: imports stay, its endpoints leave after the grace period and return', async () => {
    const ns = uniqueNamespace('routage');
    for (const c of k) await createNamespace(c, ns);
    for (const [i, ip] of [
      [0, '198.18.60.1'],
      [2, '198.18.60.3'],
    ] as const) {
      await createService(k[i]!, ns, 'hello');
      await applySlice(k[i]!, ns, 'hello', `hello-${i}`, [ip]);
      await createExport(k[i]!, ns, 'hello');
    }
    await eventually(
      () => endpointsBySource(0, ns),
      (e) => e.c1?.length === 1 && e.c3?.length === 1,
      'endpoints of c1 and c3 in c1',
    );
    const listsBefore = sum(2, 'lists');

    // The API server's graceful shutdown takes a while: note when the controller first saw c3 go.
    const seenDown = eventually(
      async () => ctl.sources[2]!.healthy(),
      (h) => !h,
      'c3 seen as unreachable',
      60_000,
    ).then(() => Date.now());
    await cs.clusters[2]!.stopApiServer();
    try {
      const downAt = await seenDown;
      // Within the grace period nothing changes; after it, c3's endpoints (only) are withdrawn.
      const left = GRACE_MS - (Date.now() - downAt) - 1000;
      if (left > 0)
        await consistently(
          () => endpointsBySource(1, ns),
          (e) => e.c3?.length === 1,
          "c3's endpoints kept during the grace period",
          left,
        );
      await eventually(
        () => endpointsBySource(1, ns),
        (e) => e.c3 === undefined && e.c1?.length === 1,
        "c3's endpoints withdrawn after the grace period",
      );
      expect(Date.now() - downAt).toBeGreaterThanOrEqual(GRACE_MS - 200);
      const si = await getImport(k[1]!, ns, 'hello');
      expect((si?.status as { clusters?: { cluster: string }[] } | undefined)?.clusters?.map((c) => c.cluster)).toEqual(
        ['c1', 'c3'],
      );
      // While c3 is away the etcd revision moves on (c1 and c2 share its etcd), so c3's watches cannot resume.
      for (let n = 0; n < 20; n++)
        await applySlice(k[0]!, ns, 'hello', 'hello-0', ['198.18.60.1', `198.18.61.${n + 1}`]);
    } finally {
      await cs.clusters[2]!.startApiServer();
    }
    await eventually(
      async () => ctl.sources[2]!.healthy(),
      (h) => h,
      'c3 reachable again',
      60_000,
    );
    await eventually(
      () => endpointsBySource(1, ns),
      (e) => e.c3?.[0] === '198.18.60.3',
      "c3's endpoints back in c2",
      30_000,
    );
    await eventually(
      () => getImport(k[2]!, ns, 'hello'),
      (o) => o !== undefined,
      'the import still in c3',
    );
    // The reflectors listed again: after a 410 on resume, or after the first failed watch.
    expect(sum(2, 'lists')).toBeGreaterThan(listsBefore);
  });

  it('relists after 410 Gone when its resourceVersion has expired', async () => {
    const ns = uniqueNamespace('rgone');
    for (const c of k) await createNamespace(c, ns);
    const goneBefore = sum(1, 'gone');
    await cs.clusters[1]!.stopApiServer();
    try {
      // Move the shared etcd revision on, then restart c2: its fresh watch cache starts past our resourceVersion.
      for (let n = 0; n < 50; n++) await applySlice(k[0]!, ns, 'other', 'other-s', [`198.18.70.${n + 1}`]);
    } finally {
      await cs.clusters[1]!.startApiServer();
    }
    await createService(k[1]!, ns, 'hello');
    await createExport(k[1]!, ns, 'hello');
    await eventually(
      () => getImport(k[0]!, ns, 'hello'),
      (o) => o !== undefined,
      'an export made after the restart is imported',
      60_000,
    );
    expect(sum(1, 'gone')).toBeGreaterThan(goneBefore);
  });

  it('reports an export it cannot honour on the ServiceExport, and writes no import for it', async () => {
    const ns = uniqueNamespace('rbad');
    for (const c of k) await createNamespace(c, ns);
    // The CRD accepts any string as an exported label value; a ServiceImport label cannot hold this one.
    await createService(k[0]!, ns, 'hello');
    await createExport(k[0]!, ns, 'hello', { exportedLabels: { team: 'x'.repeat(100) } });
    const conds = await eventually(
      () => getExportConditions(k[0]!, ns, 'hello'),
      (c) => condition(c, 'Valid') !== undefined,
      'a Valid condition',
    );
    expect(condition(conds, 'Valid')).toMatchObject({ status: 'False', reason: 'InvalidServiceExport' });
    expect(conds.find((c) => c.type === 'Valid')?.message).toContain('spec.exportedLabels.team');
    await consistently(
      () => getImport(k[1]!, ns, 'hello'),
      (o) => o === undefined,
      'no import',
      1500,
    );
    // Fixing the export makes the import.
    await k[0]!.request('PATCH', `/apis/multicluster.x-k8s.io/v1beta1/namespaces/${ns}/serviceexports/hello`, {
      body: { spec: { exportedLabels: { team: 'payments' } } },
      contentType: 'application/merge-patch+json',
    });
    const si = await eventually(
      () => getImport(k[1]!, ns, 'hello'),
      (o) => o !== undefined,
      'the import once the export is fixed',
    );
    expect(si?.metadata?.labels).toMatchObject({ team: 'payments' });
  });
});
