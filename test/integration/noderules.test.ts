// Real packets through the agent's real nft rules: a pod namespace connects to a ClusterSetIP and reaches two
// endpoint namespaces (in two "clusters") through a node namespace where runAgent() programs the table.
import { execFileSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventQueue, type EventQueue } from '../../src/agent/event-queue.ts';
import { nftRunner } from '../../src/agent/nft.ts';
import { type AgentHandle, runAgent } from '../../src/agent/run-agent.ts';
import type { KubeObject } from '../../src/mcs/kube-objects.ts';
import { EP1_IP, EP2_IP, packetTestSkipReason, Topology, VIP } from './noderules-topology.ts';

const skip = packetTestSkipReason();
const NODE = 'node-b';
const TABLE = 'clusterset';

interface ImportSpec {
  sessionAffinity?: string;
  trafficDistribution?: string;
  internalTrafficPolicy?: string;
}

function serviceImport(spec: ImportSpec = {}): KubeObject {
  return {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceImport',
    metadata: { namespace: 'demo', name: 'web' },
    spec: {
      type: 'ClusterSetIP',
      ips: [VIP],
      ports: [
        { name: 'http', protocol: 'TCP', port: 80 },
        { name: 'dns', protocol: 'UDP', port: 53 },
      ],
      ...spec,
    },
  };
}

function slice(cluster: string, endpoints: { ip: string; node: string; zone: string; ready?: boolean }[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
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
    ports: [
      { name: 'http', protocol: 'TCP', port: 8080 },
      { name: 'dns', protocol: 'UDP', port: 9090 },
    ],
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true },
      nodeName: e.node,
      zone: e.zone,
    })),
  };
}

// ep1 runs in cluster "east" on another node in zone-a; ep2 in cluster "west" on this node, in zone-b.
const EP1 = { ip: EP1_IP, node: 'node-a', zone: 'zone-a' };
const EP2 = { ip: EP2_IP, node: NODE, zone: 'zone-b' };
const NODE_OBJECT: KubeObject = {
  kind: 'Node',
  metadata: { name: NODE, labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
};

describe.skipIf(skip !== undefined)(
  `node rules with real packets${skip === undefined ? '' : ` (skipped: ${skip})`}`,
  () => {
    let net: Topology;
    let queue: EventQueue;
    let agent: AgentHandle;
    const registry = new Registry();

    const world = async (imp: KubeObject, slices: KubeObject[]): Promise<void> => {
      queue.push({ type: 'Upsert', kind: 'ServiceImport', object: imp });
      for (const s of slices) queue.push({ type: 'Upsert', kind: 'EndpointSlice', object: s });
      await agent.settled();
    };

    beforeAll(async () => {
      net = new Topology();
      try {
        await net.create();
      } catch (error) {
        net.destroy();
        throw error;
      }
      queue = createEventQueue();
      agent = runAgent({
        nodeName: NODE,
        input: queue,
        nft: nftRunner({ netns: net.node }),
        table: TABLE,
        registry,
        driftCheckIntervalMs: 200,
        fullResyncIntervalMs: 0,
      });
      queue.push({ type: 'Replace', kind: 'ServiceImport', objects: [serviceImport()] });
      queue.push({
        type: 'Replace',
        kind: 'EndpointSlice',
        objects: [slice('east', [EP1]), slice('west', [EP2])],
      });
      queue.push({ type: 'Node', object: NODE_OBJECT });
      await agent.settled();
    });

    afterAll(async () => {
      await agent?.stop();
      net?.destroy();
    });

    it('programs the node after the first sync, in one full transaction', () => {
      expect(agent.ready()).toBe(true);
      expect(agent.status()).toMatchObject({ nodeName: NODE, synced: true, healthy: true, services: 1 });
    });

    it('spreads TCP connections from a pod over endpoints in both clusters', () => {
      const tally = net.request('pod', 'tcp', 80, 40);
      expect(tally['ep1:8080']).toBeGreaterThan(0);
      expect(tally['ep2:8080']).toBeGreaterThan(0);
      expect((tally['ep1:8080'] ?? 0) + (tally['ep2:8080'] ?? 0)).toBe(40);
    });

    it('spreads UDP datagrams over both endpoints, to the UDP target port', () => {
      const tally = net.request('pod', 'udp', 53, 30);
      expect(tally['ep1:9090']).toBeGreaterThan(0);
      expect(tally['ep2:9090']).toBeGreaterThan(0);
      expect((tally['ep1:9090'] ?? 0) + (tally['ep2:9090'] ?? 0)).toBe(30);
    });

    it('DNATs traffic from the host network too (output hook)', () => {
      const tally = net.request('node', 'tcp', 80, 10);
      expect((tally['ep1:8080'] ?? 0) + (tally['ep2:8080'] ?? 0)).toBe(10);
    });

    it('rejects a port the import does not have', () => {
      expect(net.request('pod', 'tcp', 81, 3)).toEqual({ ECONNREFUSED: 3 });
      expect(net.request('pod', 'udp', 80, 2)).toEqual({ ECONNREFUSED: 2 });
    });

    it('keeps a client on one endpoint with sessionAffinity ClientIP', async () => {
      await world(serviceImport({ sessionAffinity: 'ClientIP' }), []);
      const tally = net.request('pod', 'tcp', 80, 20);
      expect(Object.values(tally)).toEqual([20]);
      expect(Object.keys(tally)[0]).toMatch(/^ep[12]:8080$/);
      const udp = net.request('pod', 'udp', 53, 10);
      expect(Object.values(udp)).toEqual([10]);
    });

    it('prefers endpoints in the node zone with trafficDistribution PreferClose', async () => {
      await world(serviceImport({ trafficDistribution: 'PreferClose' }), []);
      expect(net.request('pod', 'tcp', 80, 20)).toEqual({ 'ep1:8080': 20 });
    });

    it('keeps only this node endpoints with internalTrafficPolicy Local', async () => {
      await world(serviceImport({ internalTrafficPolicy: 'Local' }), []);
      expect(net.request('pod', 'tcp', 80, 20)).toEqual({ 'ep2:8080': 20 });
    });

    it('stops sending to a removed endpoint, with an element delta', async () => {
      await world(serviceImport(), []);
      const before = agent.status().generation;
      const spread = net.request('pod', 'tcp', 80, 30);
      expect(Object.keys(spread).sort()).toEqual(['ep1:8080', 'ep2:8080']);
      const deltas = await deltaCount(registry);
      await world(serviceImport(), [slice('east', [])]);
      expect(agent.status().generation).toBe(before + 1);
      expect(await deltaCount(registry)).toBe(deltas + 1);
      expect(net.request('pod', 'tcp', 80, 20)).toEqual({ 'ep2:8080': 20 });
      expect(net.request('pod', 'udp', 53, 10)).toEqual({ 'ep2:9090': 10 });
    });

    it('falls back to a not-ready endpoint only when it is serving and terminating', async () => {
      await world(serviceImport(), [slice('east', []), slice('west', [{ ...EP2, ready: false }])]);
      expect(net.request('pod', 'tcp', 80, 3)).toEqual({ ECONNREFUSED: 3 });
    });

    it('refuses connections when the service has no endpoints', async () => {
      await world(serviceImport(), [slice('east', []), slice('west', [])]);
      expect(net.request('pod', 'tcp', 80, 3)).toEqual({ ECONNREFUSED: 3 });
      expect(net.request('pod', 'udp', 53, 2)).toEqual({ ECONNREFUSED: 2 });
      expect(net.request('node', 'tcp', 80, 2)).toEqual({ ECONNREFUSED: 2 });
    });

    it('repairs the table when someone flushes or deletes it', async () => {
      await world(serviceImport(), [slice('east', [EP1]), slice('west', [EP2])]);
      expect(Object.keys(net.request('pod', 'tcp', 80, 20)).sort()).toEqual(['ep1:8080', 'ep2:8080']);
      const runner = nftRunner({ netns: net.node });
      await runner.apply(`flush table inet ${TABLE}\n`);
      await waitFor(async () => (await counter(registry, 'clusterset_agent_drift_repairs_total')) >= 1);
      expect(
        (net.request('pod', 'tcp', 80, 10)['ep1:8080'] ?? 0) + (net.request('pod', 'tcp', 80, 10)['ep2:8080'] ?? 0),
      ).toBeGreaterThan(0);
      await runner.apply(`delete table inet ${TABLE}\n`);
      await waitFor(async () => (await counter(registry, 'clusterset_agent_drift_repairs_total')) >= 2);
      const tally = net.request('pod', 'tcp', 80, 20);
      expect((tally['ep1:8080'] ?? 0) + (tally['ep2:8080'] ?? 0)).toBe(20);
    });

    it('rebuilds over a live table in one transaction when a new agent starts', async () => {
      await agent.stop();
      const q2 = createEventQueue();
      const second = runAgent({ nodeName: NODE, input: q2, nft: nftRunner({ netns: net.node }), table: TABLE });
      q2.push({
        type: 'Replace',
        kind: 'ServiceImport',
        objects: [serviceImport({ trafficDistribution: 'PreferClose' })],
      });
      q2.push({ type: 'Replace', kind: 'EndpointSlice', objects: [slice('east', [EP1]), slice('west', [EP2])] });
      // Not synced yet (no Node): the old rules stay as they are.
      await second.settled();
      expect(Object.keys(net.request('pod', 'tcp', 80, 20)).sort()).toEqual(['ep1:8080', 'ep2:8080']);
      q2.push({ type: 'Node', object: NODE_OBJECT });
      await second.settled();
      expect(net.request('pod', 'tcp', 80, 10)).toEqual({ 'ep1:8080': 10 });
      const listing = execFileSync('nsenter', [`--net=/run/netns/${net.node}`, 'nft', 'list', 'tables']).toString();
      expect(listing.trim().split('\n')).toEqual([`table inet ${TABLE}`]);
      await second.removeTable();
      await second.stop();
      expect(execFileSync('nsenter', [`--net=/run/netns/${net.node}`, 'nft', 'list', 'tables']).toString()).toBe('');
    });
  },
);

async function counter(registry: Registry, name: string, label?: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  return values
    .filter((v) => label === undefined || Object.entries(label).every(([k, x]) => v.labels[k] === x))
    .reduce((sum, v) => sum + v.value, 0);
}

async function deltaCount(registry: Registry): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'clusterset_agent_apply_duration_seconds');
  const values = (metric?.values ?? []) as {
    value: number;
    labels: Record<string, string | number>;
    metricName?: string;
  }[];
  return (
    values.find((v) => v.metricName === 'clusterset_agent_apply_duration_seconds_count' && v.labels.kind === 'delta')
      ?.value ?? 0
  );
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
