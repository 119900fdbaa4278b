// The whole path on real parts: two real member clusters export a service, the controller writes the
// ServiceImport and MCS EndpointSlices into them, and the node agent, reading a real API server, programs
// nftables in a throwaway network namespace; a pod namespace then reaches endpoints of both clusters through
// the ClusterSetIP with real TCP and UDP.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterAgent, startClusterAgent } from '../../src/agent/cluster-agent.ts';
import { nftRunner } from '../../src/agent/nft.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { silentLogger } from '../../src/log.ts';
import { type ClusterSet, startClusterSet } from '../controlplane/index.ts';
import { EP1_IP, EP2_IP, packetTestSkipReason, Topology } from '../integration/noderules-topology.ts';
import {
  applySlice,
  clients,
  createExport,
  createNamespace,
  createService,
  deleteExport,
  eventually,
  getImport,
  type RunningController,
  startController,
} from './mcs-fixtures.ts';

const skip = packetTestSkipReason();
const NS = 'shop';
let cs: ClusterSet;
let k: KubeClient[];
let ctl: RunningController;
let topo: Topology | undefined;
let agent: ClusterAgent | undefined;

beforeAll(async () => {
  if (skip) return;
  cs = await startClusterSet({ clusters: 2, names: ['c1', 'c2'] });
  k = clients(cs);
  ctl = await startController(cs);
  topo = new Topology();
  await topo.create();
});
afterAll(async () => {
  await agent?.stop();
  topo?.destroy();
  await ctl?.stop();
  await cs?.stop();
});

describe.skipIf(skip !== undefined)(`node agent on a real cluster${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('programs the ClusterSetIP of an import exported by two clusters, and follows an unexport', async () => {
    for (const [i, ip] of [
      [0, EP1_IP],
      [1, EP2_IP],
    ] as const) {
      await createNamespace(k[i]!, NS);
      await createService(k[i]!, NS, 'cart', {
        ports: [
          { name: 'tcp', port: 80, targetPort: 8080 },
          { name: 'udp', port: 90, targetPort: 9090, protocol: 'UDP' },
        ],
      });
      await applySlice(
        k[i]!,
        NS,
        'cart',
        `cart-${i}`,
        [ip],
        [
          { name: 'tcp', port: 8080 },
          { name: 'udp', port: 9090, protocol: 'UDP' },
        ],
      );
      await createExport(k[i]!, NS, 'cart');
    }
    await k[0]!.request('POST', '/api/v1/nodes', {
      body: {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
      },
    });
    const si = await eventually(
      () => getImport(k[0]!, NS, 'cart'),
      (o) => (o?.spec as { ips?: string[] } | undefined)?.ips?.length === 1,
      'the ServiceImport in c1',
    );
    const vip = (si?.spec as { ips?: string[] } | undefined)?.ips?.[0] ?? '';

    agent = startClusterAgent({
      client: k[0]!,
      nodeName: 'node-a',
      namespace: 'default',
      registry: new Registry(),
      logger: silentLogger,
      agent: { nft: nftRunner({ netns: topo!.node }) },
    });
    await eventually(
      async () => agent!.ready(),
      (r) => r,
      'the agent to apply its first rules',
      30_000,
    );
    await eventually(
      async () => topo!.request('pod', 'tcp', 80, 20, vip),
      (t) => (t['ep1:8080'] ?? 0) > 0 && (t['ep2:8080'] ?? 0) > 0 && (t['ep1:8080'] ?? 0) + (t['ep2:8080'] ?? 0) === 20,
      'TCP to the ClusterSetIP spread over both clusters',
    );
    const udp = topo!.request('pod', 'udp', 90, 10, vip);
    expect((udp['ep1:9090'] ?? 0) + (udp['ep2:9090'] ?? 0)).toBe(10);
    // A port the import does not have is refused at once.
    expect(topo!.request('pod', 'tcp', 81, 3, vip)).toEqual({ ECONNREFUSED: 3 });

    // c2 unexports: the controller drops c2's slice in c1, and the agent drops c2's endpoint from the node.
    await deleteExport(k[1]!, NS, 'cart');
    await eventually(
      async () => topo!.request('pod', 'tcp', 80, 10, vip),
      (t) => t['ep1:8080'] === 10,
      'only c1 answering',
    );
  });
});
