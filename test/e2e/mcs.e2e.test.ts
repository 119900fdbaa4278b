// KEP-1645 behaviour on three real member clusters (kube-apiserver + etcd), one test per case of the mcs-api
// conformance suite that needs no running pods (reference/mcs-spec.md §4, tests 1–16). The controller runs
// in this process against the clusters' API servers, exactly as `clusterset run --kubeconfig` does.
import { execFile, spawnSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import { ipFamilyOf } from '../../src/mcs/ip.ts';
import { type ClusterSet, startClusterSet } from '../controlplane/index.ts';
import {
  applySlice,
  clients,
  condition,
  consistently,
  createExport,
  createNamespace,
  createService,
  deleteExport,
  eventually,
  getExportConditions,
  getImport,
  mcsSlices,
  type RunningController,
  sleep,
  startController,
  uniqueNamespace,
} from './mcs-fixtures.ts';

const execFileAsync = promisify(execFile);
let cs: ClusterSet;
let k: KubeClient[];
let ctl: RunningController;

beforeAll(async () => {
  cs = await startClusterSet({ clusters: 3, names: ['c1', 'c2', 'c3'] });
  k = clients(cs);
  ctl = await startController(cs, { dns: true });
});
afterAll(async () => {
  await ctl?.stop();
  await cs?.stop();
});

/** A namespace in every cluster (or the given ones), with the Service `hello` in c1. */
async function setup(prefix: string, in_: number[] = [0, 1, 2]): Promise<string> {
  const ns = uniqueNamespace(prefix);
  for (const i of in_) await createNamespace(k[i]!, ns);
  return ns;
}

const importIn = (i: number, ns: string) => () => getImport(k[i]!, ns, 'hello');
type Spec = {
  type?: string;
  ips?: string[];
  ipFamilies?: string[];
  ports?: { name?: string; port: number; protocol: string; appProtocol?: string }[];
  [f: string]: unknown;
};
const spec = (o: unknown) => (o as { spec: Spec }).spec;

describe('ServiceImport lifecycle', () => {
  it('1: a ServiceImport exists as long as one cluster exports the service', async () => {
    const ns = await setup('t1');
    for (const i of [0, 1]) await createService(k[i]!, ns, 'hello');
    await createExport(k[0]!, ns, 'hello');
    await createExport(k[1]!, ns, 'hello');
    for (const i of [0, 1, 2]) await eventually(importIn(i, ns), (o) => o !== undefined, `ServiceImport in c${i + 1}`);
    await deleteExport(k[0]!, ns, 'hello');
    await consistently(importIn(0, ns), (o) => o !== undefined, 'the ServiceImport in c1 after c1 unexported', 3000);
    await eventually(
      importIn(0, ns),
      (o) => (o?.status as { clusters?: unknown[] } | undefined)?.clusters?.length === 1,
      'status.clusters = [c2]',
    );
    await deleteExport(k[1]!, ns, 'hello');
    for (const i of [0, 1, 2])
      await eventually(importIn(i, ns), (o) => o === undefined, `ServiceImport gone from c${i + 1}`);
  });

  it('4: a ClusterIP export makes a ClusterSetIP import in each cluster with the namespace; unexport deletes it', async () => {
    const ns = await setup('t4', [0, 1]);
    await createService(k[0]!, ns, 'hello');
    await createExport(k[0]!, ns, 'hello');
    await eventually(
      () => getExportConditions(k[0]!, ns, 'hello'),
      (c) => condition(c, 'Valid')?.status === 'True',
      'Valid=True',
    );
    for (const i of [0, 1]) {
      const si = await eventually(importIn(i, ns), (o) => o !== undefined, `import in c${i + 1}`);
      expect(spec(si).type).toBe('ClusterSetIP');
    }
    await consistently(importIn(2, ns), (o) => o === undefined, 'no import where the namespace does not exist', 1000);
    await deleteExport(k[0]!, ns, 'hello');
    for (const i of [0, 1]) await eventually(importIn(i, ns), (o) => o === undefined, `import gone from c${i + 1}`);
  });

  it('12, 13: a headless export makes a Headless import without IPs; unexport deletes it', async () => {
    const ns = await setup('t12');
    await createService(k[0]!, ns, 'hello', { headless: true });
    await createExport(k[0]!, ns, 'hello');
    for (const i of [0, 1, 2]) {
      const si = await eventually(importIn(i, ns), (o) => o !== undefined, `import in c${i + 1}`);
      expect(spec(si).type).toBe('Headless');
      expect(spec(si).ips ?? []).toEqual([]);
    }
    await consistently(importIn(1, ns), (o) => (spec(o).ips ?? []).length === 0, 'no IPs on the headless import', 1500);
    await deleteExport(k[0]!, ns, 'hello');
    for (const i of [0, 1, 2]) await eventually(importIn(i, ns), (o) => o === undefined, `import gone from c${i + 1}`);
  });

  it('14: an ExternalName export gets Valid=False and no import', async () => {
    const ns = await setup('t14');
    await createService(k[0]!, ns, 'hello', { type: 'ExternalName', externalName: 'hello.example.invalid' });
    await createExport(k[0]!, ns, 'hello');
    const conds = await eventually(
      () => getExportConditions(k[0]!, ns, 'hello'),
      (c) => condition(c, 'Valid') !== undefined,
      'a Valid condition',
    );
    expect(condition(conds, 'Valid')).toMatchObject({ status: 'False', reason: 'InvalidServiceType' });
    await consistently(importIn(1, ns), (o) => o === undefined, 'no import', 2000);
  });
});

describe('fields of the ServiceImport', () => {
  it('2: only labels and annotations exported by the ServiceExport reach the ServiceImport', async () => {
    const ns = await setup('t2');
    await createService(k[0]!, ns, 'hello', { labels: { 'dummy-svc': 'dummy' } });
    await createExport(k[0]!, ns, 'hello', {
      exportedLabels: { 'dummy-label': 'true' },
      exportedAnnotations: { 'dummy-annotation': 'true' },
    });
    const si = await eventually(importIn(2, ns), (o) => o !== undefined, 'import');
    expect(si?.metadata?.labels).toMatchObject({ 'dummy-label': 'true' });
    expect(si?.metadata?.annotations).toMatchObject({ 'dummy-annotation': 'true' });
    expect(si?.metadata?.labels).not.toHaveProperty('dummy-svc');
  });

  it('5, 6, 7: sessionAffinity, internalTrafficPolicy and trafficDistribution follow the Service', async () => {
    const ns = await setup('t5');
    await createService(k[0]!, ns, 'hello', {
      sessionAffinity: 'ClientIP',
      timeoutSeconds: 10,
      internalTrafficPolicy: 'Cluster',
      trafficDistribution: 'PreferClose',
    });
    await createExport(k[0]!, ns, 'hello');
    const si = await eventually(importIn(1, ns), (o) => o !== undefined, 'import');
    expect(spec(si)).toMatchObject({
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } },
      internalTrafficPolicy: 'Cluster',
      trafficDistribution: 'PreferClose',
    });
  });

  it('8, 9: one IP per IP family, and the ports of the Service', async () => {
    const ns = await setup('t8');
    const ports = [
      { name: 'tcp', port: 42, protocol: 'TCP', appProtocol: 'http' },
      { name: 'udp', port: 42, protocol: 'UDP' },
    ];
    await createService(k[0]!, ns, 'hello', { ports });
    await createExport(k[0]!, ns, 'hello');
    const si = await eventually(importIn(2, ns), (o) => o !== undefined, 'import');
    const s = spec(si);
    expect(s.ips?.length).toBe(s.ipFamilies?.length);
    for (const [i, ip] of (s.ips ?? []).entries()) expect(ipFamilyOf(ip)).toBe(s.ipFamilies?.[i]);
    expect(s.ports).toEqual(ports);
    // The same IP in every cluster.
    for (const i of [0, 1]) expect(spec(await getImport(k[i]!, ns, 'hello')).ips).toEqual(s.ips);
  });
});

describe('conflicts across clusters', () => {
  it('3: conflicting labels and annotations: Conflict on each export, the older one wins', async () => {
    const ns = await setup('t3');
    for (const i of [0, 1]) await createService(k[i]!, ns, 'hello');
    await createExport(k[0]!, ns, 'hello', { exportedLabels: { l: 'c1' }, exportedAnnotations: { a: 'c1' } });
    await eventually(importIn(0, ns), (o) => o !== undefined, 'import');
    await sleep(1100); // creationTimestamp has one-second granularity
    await createExport(k[1]!, ns, 'hello', { exportedLabels: { l: 'c2' }, exportedAnnotations: { a: 'c2' } });
    for (const i of [0, 1]) {
      const c = await eventually(
        () => getExportConditions(k[i]!, ns, 'hello'),
        (x) => condition(x, 'Conflict')?.status === 'True',
        `Conflict on c${i + 1}`,
      );
      expect(condition(c, 'Conflict')?.reason).toBe('LabelsConflict,AnnotationsConflict');
    }
    const si = await getImport(k[2]!, ns, 'hello');
    expect(si?.metadata?.labels).toMatchObject({ l: 'c1' });
    expect(si?.metadata?.annotations).toMatchObject({ a: 'c1' });
  });

  it('10: different ports: the union, and a PortConflict', async () => {
    const ns = await setup('t10');
    await createService(k[0]!, ns, 'hello', {
      ports: [
        { name: 'tcp', port: 42 },
        { name: 'udp', port: 42, protocol: 'UDP' },
      ],
    });
    await createExport(k[0]!, ns, 'hello');
    await eventually(importIn(0, ns), (o) => o !== undefined, 'import');
    await sleep(1100);
    await createService(k[1]!, ns, 'hello', {
      ports: [
        { name: 'tcp', port: 42 },
        { name: 'stcp', port: 142, protocol: 'SCTP' },
      ],
    });
    await createExport(k[1]!, ns, 'hello');
    for (const i of [0, 1]) {
      await eventually(
        () => getExportConditions(k[i]!, ns, 'hello'),
        (x) => condition(x, 'Conflict')?.reason === 'PortConflict',
        `PortConflict on c${i + 1}`,
      );
    }
    const si = await eventually(importIn(2, ns), (o) => (spec(o).ports ?? []).length === 3, 'three ports');
    expect(
      spec(si)
        .ports?.map((p) => `${p.name}/${p.protocol}/${p.port}`)
        .sort(),
    ).toEqual(['stcp/SCTP/142', 'tcp/TCP/42', 'udp/UDP/42']);
  });

  it('11: the same port name with another number: the older export keeps its port', async () => {
    const ns = await setup('t11');
    await createService(k[0]!, ns, 'hello', { ports: [{ name: 'tcp', port: 42 }] });
    await createExport(k[0]!, ns, 'hello');
    await eventually(importIn(0, ns), (o) => o !== undefined, 'import');
    await sleep(1100);
    await createService(k[1]!, ns, 'hello', { ports: [{ name: 'tcp', port: 43 }] });
    await createExport(k[1]!, ns, 'hello');
    await eventually(
      () => getExportConditions(k[1]!, ns, 'hello'),
      (x) => condition(x, 'Conflict')?.reason === 'PortConflict',
      'PortConflict',
    );
    expect(spec(await getImport(k[2]!, ns, 'hello')).ports).toEqual([{ name: 'tcp', port: 42, protocol: 'TCP' }]);
  });

  it('15: conflicting headlessness: the older ClusterIP export wins', async () => {
    const ns = await setup('t15');
    await createService(k[0]!, ns, 'hello');
    await createExport(k[0]!, ns, 'hello');
    await eventually(importIn(0, ns), (o) => o !== undefined, 'import');
    await sleep(1100);
    await createService(k[1]!, ns, 'hello', { headless: true });
    await createExport(k[1]!, ns, 'hello');
    for (const i of [0, 1]) {
      await eventually(
        () => getExportConditions(k[i]!, ns, 'hello'),
        (x) => condition(x, 'Conflict')?.reason === 'TypeConflict',
        `TypeConflict on c${i + 1}`,
      );
    }
    for (const i of [0, 1, 2]) expect(spec(await getImport(k[i]!, ns, 'hello')).type).toBe('ClusterSetIP');
  });
});

describe('MCS EndpointSlices', () => {
  it('16: an export makes MCS EndpointSlices with the MCS labels in each cluster; unexport deletes them', async () => {
    const ns = await setup('t16');
    await createService(k[0]!, ns, 'hello');
    await applySlice(k[0]!, ns, 'hello', 'hello-abc', ['198.18.16.1', '198.18.16.2']);
    await createExport(k[0]!, ns, 'hello');
    for (const i of [0, 1, 2]) {
      const slices = await eventually(
        () => mcsSlices(k[i]!, ns, 'hello'),
        (s) => s.length === 1,
        `an MCS slice in c${i + 1}`,
      );
      const labels = slices[0]?.metadata?.labels as Record<string, string>;
      expect(labels['multicluster.kubernetes.io/source-cluster']).toBe('c1');
      expect(labels['endpointslice.kubernetes.io/managed-by']).toBeTruthy();
      expect(labels['endpointslice.kubernetes.io/managed-by']).not.toBe('endpointslice-controller.k8s.io');
      expect(slices[0]?.addressType).toBe('IPv4');
      expect(slices[0]?.endpoints as unknown[]).toHaveLength(2);
    }
    await deleteExport(k[0]!, ns, 'hello');
    for (const i of [0, 1, 2])
      await eventually(
        () => mcsSlices(k[i]!, ns, 'hello'),
        (s) => s.length === 0,
        `slices gone from c${i + 1}`,
      );
  });

  it('converges to the final state after hundreds of EndpointSlice updates', async () => {
    const ns = await setup('tmany');
    await createService(k[1]!, ns, 'hello');
    await createExport(k[1]!, ns, 'hello');
    await eventually(importIn(0, ns), (o) => o !== undefined, 'import');
    for (let n = 1; n <= 200; n++) {
      await applySlice(
        k[1]!,
        ns,
        'hello',
        'hello-many',
        Array.from({ length: 1 + (n % 5) }, (_, j) => `198.18.${100 + j}.${n % 250}`),
      );
    }
    const want = Array.from({ length: 1 + (200 % 5) }, (_, j) => `198.18.${100 + j}.${200 % 250}`).sort();
    for (const i of [0, 1, 2]) {
      await eventually(
        () => mcsSlices(k[i]!, ns, 'hello'),
        (s) =>
          s.length === 1 &&
          JSON.stringify(((s[0]?.endpoints ?? []) as { addresses: string[] }[]).flatMap((e) => e.addresses).sort()) ===
            JSON.stringify(want),
        `the last endpoints in c${i + 1}`,
      );
    }
  });
});

describe('clusterset.local DNS for the e2e clusterset', () => {
  it("answers Node's resolver and dig for ClusterSetIP and headless services exported from real clusters", async () => {
    const ns = await setup('tdns');
    await createService(k[0]!, ns, 'hello');
    await createExport(k[0]!, ns, 'hello');
    for (const [i, ip, host] of [
      [0, '198.18.80.1', 'db-0'],
      [1, '198.18.81.1', 'db-0'],
    ] as const) {
      await createService(k[i]!, ns, 'db', { headless: true });
      await applySlice(k[i]!, ns, 'db', `db-${i}`, [ip], [{ name: 'tcp', port: 42 }], { hostname: host });
      await createExport(k[i]!, ns, 'db');
    }
    const si = await eventually(importIn(2, ns), (o) => o !== undefined, 'import');
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${ctl.dns?.udpPort}`]);
    expect(
      await eventually(
        () => r.resolve4(`hello.${ns}.svc.clusterset.local`),
        (a) => a.length === 1,
        'A record',
      ),
    ).toEqual(spec(si).ips);
    const headless = await eventually(
      () => r.resolve4(`db.${ns}.svc.clusterset.local`),
      (a) => a.length === 2,
      'both headless endpoints',
    );
    expect(headless.sort()).toEqual(['198.18.80.1', '198.18.81.1']);
    expect(await r.resolve4(`db-0.c2.db.${ns}.svc.clusterset.local`)).toEqual(['198.18.81.1']);
    const srv = await r.resolveSrv(`_tcp._tcp.db.${ns}.svc.clusterset.local`);
    expect(srv.map((x) => x.name).sort()).toEqual([
      `db-0.c1.db.${ns}.svc.clusterset.local`,
      `db-0.c2.db.${ns}.svc.clusterset.local`,
    ]);
    if (spawnSync('dig', ['-v']).error) return; // dig checked in the integration tests; CI installs it
    const out = (
      await execFileAsync('dig', [
        '@127.0.0.1',
        '-p',
        String(ctl.dns?.udpPort),
        '+short',
        '+tcp',
        `hello.${ns}.svc.clusterset.local`,
      ])
    ).stdout.trim();
    expect(out).toBe(spec(si).ips?.[0]);
  });
});

describe('the controller across restarts', () => {
  it('a restart with nothing changed makes zero writes and keeps every ClusterSetIP', async () => {
    const ns = await setup('trestart');
    await createService(k[0]!, ns, 'hello');
    await applySlice(k[0]!, ns, 'hello', 'hello-r', ['198.18.40.1']);
    await createExport(k[0]!, ns, 'hello');
    const before = await eventually(importIn(2, ns), (o) => o !== undefined, 'import');
    await eventually(
      () => mcsSlices(k[2]!, ns, 'hello'),
      (s) => s.length === 1,
      'slice',
    );
    await eventually(
      () => getExportConditions(k[0]!, ns, 'hello'),
      (c) => c.length === 3,
      'export conditions',
    );
    await eventually(
      async () => ctl.controller.ready(),
      (r) => r,
      'the first controller to settle',
    );
    await ctl.stop();
    ctl = await startController(cs);
    await ctl.controller.settled();
    await sleep(1000);
    await ctl.controller.settled();
    expect(await ctl.writes()).toBe(0);
    expect(spec(await getImport(k[2]!, ns, 'hello')).ips).toEqual(spec(before).ips);
  });
});
