// Proves the test control plane through @kubernetes/client-node: three real member clusters, our CRDs served and
// validated, list and watch working, and data surviving an API server restart. Needs the binaries built once by
// scripts/build-controlplane.sh (npm run controlplane:build); without them it fails with that instruction.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  dumpYaml,
  type KubeConfig,
  type KubernetesObject,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareCrds, type Json } from '../controlplane/crd-schema.ts';
import { istioServiceEntryCrd } from '../controlplane/crds.ts';
import { type ClusterSet, startClusterSet } from '../controlplane/index.ts';
import { crdsDir, referenceFile } from '../controlplane/reference.ts';

const group = 'multicluster.x-k8s.io';
const namespace = 'smoke';
const autoBuild = process.env.CLUSTERSET_CONTROLPLANE_AUTOBUILD === '1';

interface ServiceExport extends KubernetesObject {
  spec?: { exportedLabels?: Record<string, string> };
}

interface ExportList {
  items: ServiceExport[];
}

async function createExport(kubeConfig: KubeConfig, name: string, labels: Record<string, string>): Promise<void> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  await api.createNamespacedCustomObject({
    group,
    version: 'v1beta1',
    namespace,
    plural: 'serviceexports',
    body: {
      apiVersion: `${group}/v1beta1`,
      kind: 'ServiceExport',
      metadata: { name },
      spec: { exportedLabels: labels },
    },
  });
}

async function listExports(kubeConfig: KubeConfig, version: 'v1alpha1' | 'v1beta1'): Promise<ServiceExport[]> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const list = (await api.listNamespacedCustomObject({
    group,
    version,
    namespace,
    plural: 'serviceexports',
  })) as ExportList;
  return list.items;
}

/** The status code of a rejected request, and the server's message, to assert on. */
async function rejection(request: Promise<unknown>): Promise<{ code: number; body: string }> {
  try {
    await request;
  } catch (error) {
    if (error instanceof ApiException) return { code: error.code, body: String(error.body) };
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('test control plane: three member clusters', () => {
  let clusterSet: ClusterSet;

  beforeAll(async () => {
    clusterSet = await startClusterSet({ clusters: 3, build: autoBuild });
  });

  afterAll(async () => {
    await clusterSet?.stop();
  });

  it('keeps each cluster apart, serves both ServiceExport versions, lists and watches them', async () => {
    const [first, second, third] = clusterSet.clusters;
    if (first === undefined || second === undefined || third === undefined) throw new Error('three clusters expected');
    expect(new Set(clusterSet.clusters.map((c) => c.server)).size).toBe(3);

    for (const cluster of clusterSet.clusters) {
      const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespace({ body: { metadata: { name: namespace, labels: { member: cluster.name } } } });
      await createExport(cluster.kubeConfig, 'web', { member: cluster.name });
    }

    // Each API server has its own --etcd-prefix in the one etcd: it sees its own objects only.
    for (const cluster of clusterSet.clusters) {
      const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
      const ns = await core.readNamespace({ name: namespace });
      expect(ns.metadata?.labels?.member).toBe(cluster.name);
      for (const version of ['v1beta1', 'v1alpha1'] as const) {
        const exports = await listExports(cluster.kubeConfig, version);
        expect(exports.map((e) => [e.apiVersion, e.metadata?.name, e.spec?.exportedLabels?.member])).toEqual([
          [`${group}/${version}`, 'web', cluster.name],
        ]);
      }
    }

    // A watch on the second cluster sees the existing export, then our update to it.
    const seen: { type: string; member: string | undefined }[] = [];
    let resolveUpdate: () => void = () => {};
    const updated = new Promise<void>((resolve) => {
      resolveUpdate = resolve;
    });
    const watch = await new Watch(second.kubeConfig).watch(
      `/apis/${group}/v1beta1/namespaces/${namespace}/serviceexports`,
      {},
      (type, object: ServiceExport) => {
        seen.push({ type, member: object.spec?.exportedLabels?.member });
        if (type === 'MODIFIED') resolveUpdate();
      },
      () => {},
    );
    try {
      const api = second.kubeConfig.makeApiClient(CustomObjectsApi);
      const current = (await api.getNamespacedCustomObject({
        group,
        version: 'v1beta1',
        namespace,
        plural: 'serviceexports',
        name: 'web',
      })) as ServiceExport;
      await api.replaceNamespacedCustomObject({
        group,
        version: 'v1beta1',
        namespace,
        plural: 'serviceexports',
        name: 'web',
        body: { ...current, spec: { exportedLabels: { member: 'updated' } } },
      });
      await updated;
    } finally {
      watch.abort();
    }
    expect(seen).toEqual([
      { type: 'ADDED', member: second.name },
      { type: 'MODIFIED', member: 'updated' },
    ]);
    // The update stayed in the second cluster.
    expect((await listExports(first.kubeConfig, 'v1beta1'))[0]?.spec?.exportedLabels?.member).toBe(first.name);
  });

  it('installs every CRD of crds/ exactly as written (no keyword lost on the way)', async () => {
    const cluster = clusterSet.clusters[1];
    if (cluster === undefined) throw new Error('no cluster');
    const api = cluster.kubeConfig.makeApiClient(ApiextensionsV1Api);
    const files = readdirSync(crdsDir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBe(3);
    for (const file of files) {
      const written = parse(readFileSync(path.join(crdsDir, file), 'utf8')) as Json;
      const name = (written as { metadata: { name: string } }).metadata.name;
      const served = await api.readCustomResourceDefinition({ name });
      // dumpYaml turns the client's model back into wire names (x-kubernetes-list-type, ...).
      expect(compareCrds(written, parse(dumpYaml(served)) as Json)).toEqual([]);
    }
  });

  it("rejects objects that break the CRDs' validation", async () => {
    const cluster = clusterSet.clusters[0];
    if (cluster === undefined) throw new Error('no cluster');
    const api = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    const badExport = await rejection(
      api.createNamespacedCustomObject({
        group,
        version: 'v1beta1',
        namespace,
        plural: 'serviceexports',
        body: {
          apiVersion: `${group}/v1beta1`,
          kind: 'ServiceExport',
          metadata: { name: 'malformed' },
          spec: { exportedLabels: 'not-a-map' },
        },
      }),
    );
    expect(badExport.code).toBe(422);
    expect(badExport.body).toContain('spec.exportedLabels');

    const badImport = await rejection(
      api.createNamespacedCustomObject({
        group,
        version: 'v1alpha1',
        namespace,
        plural: 'serviceimports',
        body: {
          apiVersion: `${group}/v1alpha1`,
          kind: 'ServiceImport',
          metadata: { name: 'malformed' },
          spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ips: ['198.19.0.10', '198.19.0.11', '198.19.0.12'] },
        },
      }),
    );
    expect(badImport.code).toBe(422);
    expect(badImport.body).toContain('spec.type');
    expect(badImport.body).toContain('spec.ips');
  });

  it('keeps the data of a cluster across an API server restart on the same address', async () => {
    const cluster = clusterSet.clusters[2];
    if (cluster === undefined) throw new Error('no third cluster');
    await cluster.stopApiServer();
    await expect(listExports(cluster.kubeConfig, 'v1beta1')).rejects.toThrow();
    // While something else holds its port, a restart fails clearly instead of hanging.
    const port = Number(new URL(cluster.server).port);
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      await expect(cluster.startApiServer()).rejects.toMatchObject({ reason: 'port-in-use' });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    await cluster.startApiServer();
    const exports = await listExports(cluster.kubeConfig, 'v1beta1');
    expect(exports.map((e) => [e.metadata?.name, e.spec?.exportedLabels?.member])).toEqual([['web', cluster.name]]);
  });
});

describe('test control plane: Istio ServiceEntry CRD on request', () => {
  const reference = referenceFile(istioServiceEntryCrd);

  it('serves networking.istio.io ServiceEntries when started with istio: true', async (ctx) => {
    if (!reference.present) {
      ctx.skip(reference.missing);
      return;
    }
    const clusterSet = await startClusterSet({ clusters: 1, istio: true, names: ['mesh'], build: autoBuild });
    try {
      const cluster = clusterSet.clusters[0];
      if (cluster === undefined) throw new Error('no cluster');
      const api = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
      await api.createNamespacedCustomObject({
        group: 'networking.istio.io',
        version: 'v1',
        namespace: 'default',
        plural: 'serviceentries',
        body: {
          apiVersion: 'networking.istio.io/v1',
          kind: 'ServiceEntry',
          metadata: { name: 'web-clusterset' },
          spec: {
            hosts: ['web.smoke.svc.clusterset.local'],
            addresses: ['198.19.0.10'],
            ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
            resolution: 'STATIC',
            endpoints: [{ address: '198.18.0.21' }],
          },
        },
      });
      const list = (await api.listNamespacedCustomObject({
        group: 'networking.istio.io',
        version: 'v1',
        namespace: 'default',
        plural: 'serviceentries',
      })) as { items: KubernetesObject[] };
      expect(list.items.map((i) => i.metadata?.name)).toEqual(['web-clusterset']);
    } finally {
      await clusterSet.stop();
    }
  });
});
