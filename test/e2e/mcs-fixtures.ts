// Test fixtures against real member clusters: create Namespaces, Services, EndpointSlices and
// ServiceExports through the API, run the controller in-process, and wait for what it writes.
import { randomBytes } from 'node:crypto';
import { type DnsServer, startDnsServer } from '../../src/dns/server.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import { silentLogger } from '../../src/log.ts';
import { ClusterSetIpAllocator } from '../../src/mcs/clustersetip.ts';
import type { KubeObject } from '../../src/mcs/kube-objects.ts';
import { type ControllerMetrics, createControllerMetrics } from '../../src/metrics.ts';
import { KubeSource } from '../../src/sources/kube-source.ts';
import { Controller } from '../../src/sync/controller.ts';
import { DnsSink } from '../../src/sync/dns-sink.ts';
import { LeaderGate } from '../../src/sync/leader-gate.ts';
import { MemberWriters } from '../../src/sync/member-writer.ts';
import { MeshWriter } from '../../src/sync/mesh-writer.ts';
import type { ClusterSet } from '../controlplane/index.ts';

export const MCS = '/apis/multicluster.x-k8s.io/v1beta1';
/** ClusterSetIPs in tests come from the benchmark range too, apart from the clusters' own service ranges. */
export const CLUSTERSET_RANGE = '198.18.128.0/17';

export interface RunningController {
  controller: Controller;
  dns?: DnsServer;
  elector?: LeaderElector;
  sources: KubeSource[];
  metrics: ControllerMetrics;
  stop(): Promise<void>;
  writes(): Promise<number>;
}

export async function startController(
  cs: ClusterSet,
  options: {
    gracePeriodMs?: number;
    watchTimeoutSeconds?: number;
    dns?: boolean;
    /** Write Istio ServiceEntries too, with these per-cluster networks. */
    mesh?: { networks?: ReadonlyMap<string, string> };
    /** Leader election on a Lease in c1's `default` namespace, with short test durations. */
    leader?: { identity: string };
  } = {},
): Promise<RunningController> {
  const sources = cs.clusters.map(
    (c) =>
      new KubeSource({
        name: c.name,
        kubeConfig: c.kubeConfig,
        logger: silentLogger,
        backoff: { initialMs: 100, maxMs: 1000 },
        watchTimeoutSeconds: options.watchTimeoutSeconds,
        serviceEntries: options.mesh !== undefined,
      }),
  );
  const metrics = createControllerMetrics({ defaultMetrics: false });
  let elector: LeaderElector | undefined;
  const controller = new Controller({
    sources,
    allocator: new ClusterSetIpAllocator({ IPv4: CLUSTERSET_RANGE, IPv6: 'fd00:c1a5:7e7::/112' }),
    logger: silentLogger,
    metrics,
    sinks: [
      new MemberWriters(sources, silentLogger, metrics),
      ...(options.mesh
        ? [new MeshWriter({ sources, logger: silentLogger, metrics, networks: options.mesh.networks })]
        : []),
    ].map((sink) => (options.leader ? new LeaderGate(sink, () => elector?.leading === true) : sink)),
    gracePeriodMs: options.gracePeriodMs ?? 60_000,
  });
  if (options.leader) {
    elector = new LeaderElector({
      client: sources[0]!.client,
      namespace: 'default',
      name: 'clusterset-controller',
      identity: options.leader.identity,
      logger: silentLogger,
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 300,
      onChange: (leading) => {
        if (leading) controller.resyncAll();
      },
    });
  }
  const dns = options.dns ? await startDnsServer({ host: '127.0.0.1', port: 0 }) : undefined;
  if (dns) controller.addSink(new DnsSink(dns));
  await controller.start();
  elector?.start();
  await eventually(
    async () => controller.ready(),
    (r) => r,
    'the controller to be ready',
    30_000,
  );
  return {
    controller,
    dns,
    sources,
    metrics,
    elector,
    async stop() {
      await controller.stop();
      await elector?.stop();
      await dns?.close();
    },
    async writes() {
      const m = await metrics.writes.get();
      return m.values.reduce((a, v) => a + v.value, 0);
    },
  };
}

export function clients(cs: ClusterSet): KubeClient[] {
  return cs.clusters.map((c) => new KubeClient(c.name, c.kubeConfig));
}

export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export async function eventually<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (ok(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 800) ?? String(lastError)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Checks that `probe` stays ok for `ms` (the conformance suite's "Consistently"). */
export async function consistently<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  ms = 2000,
): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const v = await probe();
    if (!ok(v)) throw new Error(`${what} stopped holding: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function createNamespace(k: KubeClient, name: string): Promise<void> {
  await k.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
}

export interface ServiceSpec {
  headless?: boolean;
  type?: string;
  ports?: { name?: string; port: number; protocol?: string; targetPort?: number; appProtocol?: string }[];
  sessionAffinity?: string;
  timeoutSeconds?: number;
  internalTrafficPolicy?: string;
  trafficDistribution?: string;
  labels?: Record<string, string>;
  externalName?: string;
  ipFamilies?: string[];
}

export async function createService(k: KubeClient, ns: string, name: string, s: ServiceSpec = {}): Promise<void> {
  const spec: Record<string, unknown> = {
    type: s.type ?? 'ClusterIP',
    ports: (s.ports ?? [{ name: 'tcp', port: 42 }]).map((p) => ({ protocol: 'TCP', targetPort: p.port, ...p })),
  };
  if (s.headless) spec.clusterIP = 'None';
  if (s.externalName) {
    spec.externalName = s.externalName;
    delete spec.ports;
  }
  if (s.sessionAffinity) spec.sessionAffinity = s.sessionAffinity;
  if (s.timeoutSeconds) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: s.timeoutSeconds } };
  if (s.internalTrafficPolicy) spec.internalTrafficPolicy = s.internalTrafficPolicy;
  if (s.trafficDistribution) spec.trafficDistribution = s.trafficDistribution;
  if (s.ipFamilies) spec.ipFamilies = s.ipFamilies;
  await k.request('POST', `/api/v1/namespaces/${ns}/services`, {
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, labels: s.labels }, spec },
  });
}

export async function createExport(
  k: KubeClient,
  ns: string,
  name: string,
  spec: Record<string, unknown> = {},
): Promise<void> {
  await k.request('POST', `${MCS}/namespaces/${ns}/serviceexports`, {
    body: {
      apiVersion: 'multicluster.x-k8s.io/v1beta1',
      kind: 'ServiceExport',
      metadata: { name, namespace: ns },
      spec,
    },
  });
}

export async function deleteExport(k: KubeClient, ns: string, name: string): Promise<void> {
  await k.request('DELETE', `${MCS}/namespaces/${ns}/serviceexports/${name}`);
}

export async function applySlice(
  k: KubeClient,
  ns: string,
  service: string,
  name: string,
  addresses: string[],
  ports: { name: string; port: number; protocol?: string }[] = [{ name: 'tcp', port: 42 }],
  extra: Record<string, unknown> = {},
): Promise<void> {
  await k.request('PATCH', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/${name}`, {
    query: { fieldManager: 'e2e-test', force: true },
    contentType: 'application/apply-patch+yaml',
    body: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
      endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true }, ...extra })),
    },
  });
}

export async function getImport(k: KubeClient, ns: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await k.request<KubeObject>('GET', `${MCS}/namespaces/${ns}/serviceimports/${name}`);
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw err;
  }
}

export async function getExportConditions(
  k: KubeClient,
  ns: string,
  name: string,
): Promise<{ type: string; status: string; reason: string; message: string }[]> {
  const se = await k.request<{
    status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
  }>('GET', `${MCS}/namespaces/${ns}/serviceexports/${name}`);
  return se.status?.conditions ?? [];
}

export function condition(conds: { type: string; status: string; reason: string }[], type: string) {
  return conds.find((c) => c.type === type);
}

export async function mcsSlices(k: KubeClient, ns: string, service: string): Promise<KubeObject[]> {
  const list = await k.request<{ items: KubeObject[] }>(
    'GET',
    `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
    {
      query: { labelSelector: `multicluster.kubernetes.io/service-name=${service}` },
    },
  );
  return list.items;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
