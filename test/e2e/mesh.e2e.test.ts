// Istio ServiceEntries from the merged view, on three real member clusters that have the official Istio
// ServiceEntry CRD installed: the API server enforces its schema and CEL rules on everything we write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/kube/client.ts';
import { objectPath } from '../../src/kube/resources.ts';
import type { KubeObject } from '../../src/mcs/kube-objects.ts';
import { FIELD_MANAGER } from '../../src/mcs/ownership.ts';
import { renderServiceEntry } from '../../src/mesh/render.ts';
import { SERVICE_ENTRY_RESOURCE } from '../../src/mesh/serviceentry.ts';
import type { KubeSource } from '../../src/sources/kube-source.ts';
import { istioServiceEntryCrd } from '../controlplane/crds.ts';
import { type ClusterSet, startClusterSet } from '../controlplane/index.ts';
import { referenceFile } from '../controlplane/reference.ts';
import { TRICKY_VIEWS } from '../unit/mesh-views.ts';
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
  type RunningController,
  startController,
  uniqueNamespace,
} from './mcs-fixtures.ts';

type SE = KubeObject & {
  spec: {
    hosts: string[];
    addresses?: string[];
    ports: { name: string; number: number; protocol?: string }[];
    location: string;
    resolution: string;
    endpoints?: { address: string; ports: Record<string, number>; labels?: Record<string, string> }[];
  };
};

let cs: ClusterSet;
let k: KubeClient[];
let ctl: RunningController;

// The official Istio CRD is a test input from the reference folder: without it these tests cannot run.
const istioCrd = referenceFile(istioServiceEntryCrd);
const skipReason = istioCrd.present ? undefined : istioCrd.missing;
const meshDescribe = (name: string, fn: () => void) =>
  describe.skipIf(skipReason !== undefined)(skipReason ? `${name} (skipped: ${skipReason})` : name, fn);

beforeAll(async () => {
  if (skipReason) return;
  cs = await startClusterSet({ clusters: 3, names: ['c1', 'c2', 'c3'], istio: true });
  k = clients(cs);
  ctl = await startController(cs, { mesh: { networks: new Map([['c3', 'net-from-config']]) } });
  expect(ctl.sources.every((s) => s.serviceEntriesServed())).toBe(true);
}, 120_000);
afterAll(async () => {
  await ctl?.stop();
  await cs?.stop();
});

const sePath = (ns: string, name: string) => objectPath(SERVICE_ENTRY_RESOURCE, ns, name);

async function getSE(c: KubeClient, ns: string, service: string): Promise<SE | undefined> {
  try {
    return await c.request<SE>('GET', sePath(ns, `${service}-clusterset`));
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}

const addresses = (se: SE | undefined) => (se?.spec.endpoints ?? []).map((e) => e.address).sort();

async function namespaceEverywhere(prefix: string): Promise<string> {
  const ns = uniqueNamespace(prefix);
  for (const c of k) await createNamespace(c, ns);
  return ns;
}

async function seWrites(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await ctl.metrics.writes.get()).values) {
    if (v.labels.kind === 'ServiceEntry' && v.labels.verb === 'apply') out.set(String(v.labels.cluster), v.value);
  }
  return out;
}

meshDescribe('ServiceEntries follow the exports', () => {
  it('appear in every cluster with the namespace, change with the endpoints, and disappear with the exports', async () => {
    const ns = await namespaceEverywhere('se-life');
    await createService(k[0]!, ns, 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await applySlice(k[0]!, ns, 'web', 'web-a', ['198.18.10.1', '198.18.10.2'], [{ name: 'http', port: 8080 }]);
    await createExport(k[0]!, ns, 'web');

    const si = await eventually(
      () => getImport(k[1]!, ns, 'web'),
      (o) => o !== undefined,
      'the ServiceImport',
    );
    const ips = (si?.spec as { ips?: string[] } | undefined)?.ips;
    expect(ips).toHaveLength(1);
    for (const c of k) {
      const se = await eventually(
        () => getSE(c, ns, 'web'),
        (o) => addresses(o).length === 2,
        `SE in ${c.cluster}`,
      );
      expect(se?.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'clusterset' });
      expect(se?.spec).toMatchObject({
        hosts: [`web.${ns}.svc.clusterset.local`],
        addresses: ips,
        ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
      });
      expect(se?.spec.endpoints?.[0]).toEqual({
        address: '198.18.10.1',
        ports: { http: 8080 },
        labels: { 'multicluster.kubernetes.io/source-cluster': 'c1' },
      });
    }

    // A second exporting cluster adds its endpoints; a changed slice changes them.
    await createService(k[1]!, ns, 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await applySlice(k[1]!, ns, 'web', 'web-b', ['198.18.11.1'], [{ name: 'http', port: 8080 }]);
    await createExport(k[1]!, ns, 'web');
    for (const c of k)
      await eventually(
        () => getSE(c, ns, 'web'),
        (o) => addresses(o).length === 3,
        `c2's endpoint in ${c.cluster}`,
      );
    await applySlice(k[0]!, ns, 'web', 'web-a', ['198.18.10.2'], [{ name: 'http', port: 8080 }]);
    for (const c of k)
      await eventually(
        () => getSE(c, ns, 'web'),
        (o) => addresses(o).join() === '198.18.10.2,198.18.11.1',
        `the removed endpoint gone in ${c.cluster}`,
      );

    await deleteExport(k[0]!, ns, 'web');
    await deleteExport(k[1]!, ns, 'web');
    for (const c of k)
      await eventually(
        () => getSE(c, ns, 'web'),
        (o) => o === undefined,
        `SE gone from ${c.cluster}`,
      );
  });

  it('an endpoint change in one cluster updates exactly one ServiceEntry per target cluster', async () => {
    const ns = await namespaceEverywhere('se-one');
    for (const name of ['alpha', 'beta']) {
      await createService(k[0]!, ns, name, { ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
      await applySlice(k[0]!, ns, name, `${name}-a`, ['198.18.12.1'], [{ name: 'http', port: 8080 }]);
      await createExport(k[0]!, ns, name);
    }
    for (const c of k)
      for (const name of ['alpha', 'beta'])
        await eventually(
          () => getSE(c, ns, name),
          (o) => o !== undefined,
          name,
        );
    // Settled: nothing more is written for a while.
    let before = await seWrites();
    await eventually(
      async () => {
        await new Promise((r) => setTimeout(r, 1000));
        const now = await seWrites();
        const same = JSON.stringify([...now]) === JSON.stringify([...before]);
        before = now;
        return same;
      },
      (same) => same,
      'ServiceEntry writes to settle',
    );
    const betaVersions = await Promise.all(k.map(async (c) => (await getSE(c, ns, 'beta'))?.metadata?.resourceVersion));

    const started = performance.now();
    await applySlice(k[0]!, ns, 'alpha', 'alpha-a', ['198.18.12.1', '198.18.12.2'], [{ name: 'http', port: 8080 }]);
    for (const c of k)
      await eventually(
        () => getSE(c, ns, 'alpha'),
        (o) => addresses(o).length === 2,
        `alpha updated in ${c.cluster}`,
      );
    // A figure for the docs, not an assertion: polling every 100 ms bounds its resolution.
    console.info(`endpoint change → ServiceEntry current in 3 clusters: ${Math.round(performance.now() - started)} ms`);
    await consistently(
      seWrites,
      (now) => ['c1', 'c2', 'c3'].every((c) => (now.get(c) ?? 0) - (before.get(c) ?? 0) === 1),
      'one ServiceEntry write per cluster',
      2000,
    );
    const after = await Promise.all(k.map(async (c) => (await getSE(c, ns, 'beta'))?.metadata?.resourceVersion));
    expect(after).toEqual(betaVersions);
  });
});

meshDescribe('services that are hard to express come out valid', () => {
  it('unnamed port, and a 63-character port name', async () => {
    const ns = await namespaceEverywhere('se-unnamed');
    const long = 'a-very-long-port-name-that-kubernetes-allows-up-to-sixty-three1';
    await k[0]!.request('POST', `/api/v1/namespaces/${ns}/services`, {
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'bare', namespace: ns },
        spec: { ports: [{ port: 8080, targetPort: 9000, protocol: 'TCP' }] },
      },
    });
    await applySlice(k[0]!, ns, 'bare', 'bare-a', ['198.18.13.1'], [{ name: '', port: 9000 }]);
    await createExport(k[0]!, ns, 'bare');
    await createService(k[0]!, ns, 'long', { ports: [{ name: long, port: 81, targetPort: 8081 }] });
    await applySlice(k[0]!, ns, 'long', 'long-a', ['198.18.13.2'], [{ name: long, port: 8081 }]);
    await createExport(k[0]!, ns, 'long');

    for (const c of k) {
      const bare = await eventually(
        () => getSE(c, ns, 'bare'),
        (o) => o !== undefined,
        `bare in ${c.cluster}`,
      );
      expect(bare?.spec.ports).toEqual([{ name: 'port-8080', number: 8080 }]);
      expect(bare?.spec.endpoints?.[0]?.ports).toEqual({ 'port-8080': 9000 });
      const lse = await eventually(
        () => getSE(c, ns, 'long'),
        (o) => o !== undefined,
        `long in ${c.cluster}`,
      );
      const name = lse?.spec.ports[0]?.name ?? '';
      expect(name.length).toBeLessThan(63);
      expect(lse?.spec.endpoints?.[0]?.ports).toEqual({ [name]: 8081 });
    }
  });

  it('ports that conflict across clusters, and a UDP port on a TCP port number', async () => {
    const ns = await namespaceEverywhere('se-conflict');
    await createService(k[0]!, ns, 'mixed', {
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    });
    await applySlice(
      k[0]!,
      ns,
      'mixed',
      'mixed-a',
      ['198.18.14.1'],
      [
        { name: 'http', port: 8080 },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    );
    await createExport(k[0]!, ns, 'mixed');
    await eventually(
      () => getSE(k[0]!, ns, 'mixed'),
      (o) => o !== undefined,
      'the first export imported',
    );
    await createService(k[1]!, ns, 'mixed', {
      ports: [
        { name: 'http', port: 8080 },
        { name: 'dns-tcp', port: 53 },
      ],
    });
    await applySlice(
      k[1]!,
      ns,
      'mixed',
      'mixed-b',
      ['198.18.15.1'],
      [
        { name: 'http', port: 8080 },
        { name: 'dns-tcp', port: 53 },
      ],
    );
    await createExport(k[1]!, ns, 'mixed');

    await eventually(
      () => getExportConditions(k[1]!, ns, 'mixed'),
      (c) => condition(c, 'Conflict')?.status === 'True',
      'Conflict=True on the newer export',
    );
    for (const c of k) {
      const se = await eventually(
        () => getSE(c, ns, 'mixed'),
        (o) => addresses(o).length === 2,
        `both clusters' endpoints in ${c.cluster}`,
      );
      // Merged: http 80/TCP, dns 53/UDP, dns-tcp 53/TCP. UDP is left out: one port per number.
      expect(se?.spec.ports).toEqual([
        { name: 'http', number: 80, protocol: 'HTTP' },
        { name: 'dns-tcp', number: 53, protocol: 'TCP' },
      ]);
      expect(se?.spec.endpoints?.map((e) => [e.address, e.ports])).toEqual([
        ['198.18.14.1', { http: 8080 }],
        ['198.18.15.1', { 'dns-tcp': 53 }],
      ]);
    }
  });

  it('every tricky view renders an object the API server accepts (dry run), and the CRD does refuse a bad one', async () => {
    const ns = 'shop';
    await createNamespace(k[0]!, ns);
    const apply = (body: object, name: string) =>
      k[0]!.request('PATCH', sePath(ns, name), {
        query: { fieldManager: FIELD_MANAGER, force: true, dryRun: 'All' },
        body,
        contentType: 'application/apply-patch+yaml',
      });
    for (const [what, v] of TRICKY_VIEWS) {
      const r = renderServiceEntry(v, { revision: 'canary', networkOf: () => 'net-1' });
      if (!r.ok) throw new Error(`${what}: ${r.message}`);
      await expect(apply(r.serviceEntry, r.serviceEntry.metadata.name), what).resolves.toBeDefined();
    }
    const r = renderServiceEntry(TRICKY_VIEWS[0]![1]);
    if (!r.ok) throw new Error(r.message);
    const bad = structuredClone(r.serviceEntry);
    bad.spec.ports.push({ name: 'again', number: bad.spec.ports[0]!.number });
    await expect(apply(bad, bad.metadata.name)).rejects.toThrow(/port number cannot be duplicated/);
  });
});

meshDescribe('networks', () => {
  it("come from the settings, else from the istio-system namespace's topology.istio.io/network label", async () => {
    await k[1]!.request('POST', '/api/v1/namespaces', {
      body: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'net-from-label' } },
      },
    });
    await eventually(
      async () => ctl.controller.sources.find((s) => s.name === 'c2') as KubeSource,
      (s) => s.meshNetwork() === 'net-from-label',
      'the label seen',
    );
    const ns = await namespaceEverywhere('se-net');
    for (const [i, address] of [
      [0, '198.18.17.1'],
      [1, '198.18.17.2'],
      [2, '198.18.17.3'],
    ] as const) {
      await createService(k[i]!, ns, 'db', { ports: [{ name: 'tcp-db', port: 5432 }] });
      await applySlice(k[i]!, ns, 'db', `db-${i}`, [address], [{ name: 'tcp-db', port: 5432 }]);
      await createExport(k[i]!, ns, 'db');
    }
    const se = await eventually(
      () => getSE(k[0]!, ns, 'db'),
      (o) => addresses(o).length === 3,
      'three endpoints',
    );
    expect(se?.spec.endpoints?.map((e) => [e.address, (e as { network?: string }).network])).toEqual([
      ['198.18.17.1', undefined],
      ['198.18.17.2', 'net-from-label'],
      ['198.18.17.3', 'net-from-config'],
    ]);
  });
});

meshDescribe('ownership', () => {
  it('leaves a ServiceEntry someone else holds under our name alone, and reports it', async () => {
    const ns = await namespaceEverywhere('se-taken');
    const theirs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'api-clusterset', namespace: ns },
      spec: { hosts: ['api.example.invalid'], ports: [{ name: 'http', number: 80 }], resolution: 'DNS' },
    };
    await k[2]!.request('POST', `/apis/networking.istio.io/v1/namespaces/${ns}/serviceentries`, { body: theirs });
    await createService(k[0]!, ns, 'api', { ports: [{ name: 'http', port: 80 }] });
    await applySlice(k[0]!, ns, 'api', 'api-a', ['198.18.16.1'], [{ name: 'http', port: 80 }]);
    await createExport(k[0]!, ns, 'api');
    for (const c of [k[0]!, k[1]!])
      await eventually(
        () => getSE(c, ns, 'api'),
        (o) => o !== undefined,
        c.cluster,
      );
    await eventually(
      async () => (await ctl.metrics.meshSkipped.get()).values.find((v) => v.labels.reason === 'NameTaken')?.value,
      (v) => v === 1,
      'the NameTaken gauge',
    );
    const kept = await getSE(k[2]!, ns, 'api');
    expect(kept?.spec.hosts).toEqual(['api.example.invalid']);
    expect(kept?.metadata?.labels ?? {}).not.toHaveProperty('app.kubernetes.io/managed-by');
    await deleteExport(k[0]!, ns, 'api');
    await eventually(
      () => getSE(k[0]!, ns, 'api'),
      (o) => o === undefined,
      'ours deleted',
    );
    await consistently(
      () => getSE(k[2]!, ns, 'api'),
      (o) => o !== undefined,
      'theirs kept',
      1500,
    );
  });
});
