// Propagation benchmark on three real member clusters (kube-apiserver + etcd from test/controlplane):
// from a change in one member cluster to the matching object in every other member cluster.
//
//   node bench/propagation/run.ts [--changes 100] [--exports 30]
//
// Two kinds of change: an EndpointSlice edited in c1 (until both other clusters' MCS slices hold the new
// address) and a new Service + ServiceExport in c1 (until the ServiceImport exists in c2 and c3). Each is timed
// change by change (one at a time) and summarised as p50/p99, with API writes per change from the controller's
// own counter. The peer, run in the same process against the same API servers, is a relay with no logic at all:
// a watch on c1 that copies each change into a ConfigMap in c2 and c3. Its latency is the floor any controller
// pays for watch + write + watch; the ratio says what our merge, diff and writers add on top of it.
import { performance } from 'node:perf_hooks';
import { Reflector } from '../../src/kube/reflector.ts';
import { RESOURCES, type Resource } from '../../src/kube/resources.ts';
import { silentLogger } from '../../src/log.ts';
import type { KubeObject } from '../../src/mcs/kube-objects.ts';
import { startClusterSet } from '../../test/controlplane/index.ts';
import {
  applySlice,
  clients,
  createExport,
  createNamespace,
  createService,
  startController,
} from '../../test/e2e/mcs-fixtures.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CHANGES = arg('changes', 100);
const EXPORTS = arg('exports', 30);
const TIMEOUT_MS = 10_000;

const cs = await startClusterSet({ clusters: 3, names: ['c1', 'c2', 'c3'] });
const k = clients(cs);
try {
  const ctl = await startController(cs);
  const ns = 'bench';
  for (const c of k) await createNamespace(c, ns);

  // Watches on c2 and c3; each cluster has its own waiters, so "arrived in both" means one match in each.
  type Waiter = { test: (o: KubeObject) => boolean; resolve: () => void };
  const waiters = new Map<number, Set<Waiter>>([
    [1, new Set()],
    [2, new Set()],
  ]);
  const watch = (i: number, resource: Resource, labelSelector?: string) => {
    const r = new Reflector({
      client: k[i]!,
      resource,
      labelSelector,
      logger: silentLogger,
      onEvent: (e) => {
        const objs = e.type === 'replace' ? e.objects : e.type === 'upsert' ? [e.object] : [];
        for (const o of objs) for (const w of waiters.get(i)!) if (w.test(o)) w.resolve();
      },
    });
    r.start();
    return r;
  };
  const cmResource: Resource = { kind: 'ConfigMap', group: '', version: 'v1', plural: 'configmaps', namespaced: true };
  const reflectors = [1, 2].flatMap((i) => [
    watch(i, RESOURCES.EndpointSlice, 'multicluster.kubernetes.io/service-name'),
    watch(i, RESOURCES.ServiceImport),
    watch(i, cmResource, 'relay=bench'),
  ]);
  await new Promise((r) => setTimeout(r, 1000));

  /** Resolves once `test` has matched an object seen by the watches of c2 and by those of c3. */
  const arrival = (test: (o: KubeObject) => boolean) =>
    Promise.all(
      [1, 2].map(
        (i) =>
          new Promise<void>((resolve, reject) => {
            const set = waiters.get(i)!;
            const w: Waiter = {
              test,
              resolve: () => {
                set.delete(w);
                clearTimeout(t);
                resolve();
              },
            };
            const t = setTimeout(() => {
              set.delete(w);
              reject(new Error(`no arrival in c${i + 1} within ${TIMEOUT_MS} ms`));
            }, TIMEOUT_MS);
            set.add(w);
          }),
      ),
    );

  const hasAddress = (o: KubeObject, ip: string) =>
    o.kind === 'EndpointSlice' &&
    ((o.endpoints ?? []) as { addresses: string[] }[]).some((e) => e.addresses.includes(ip));

  await createService(k[0]!, ns, 'hello');
  await applySlice(k[0]!, ns, 'hello', 'hello-src', ['198.18.200.1']);
  await createExport(k[0]!, ns, 'hello');
  await new Promise((r) => setTimeout(r, 1500));

  const measure = async (
    label: string,
    n: number,
    change: (i: number) => Promise<void>,
    done: (i: number) => (o: KubeObject) => boolean,
  ) => {
    const before = await ctl.writes();
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const arrived = arrival(done(i));
      const t0 = performance.now();
      await change(i);
      await arrived;
      samples.push(performance.now() - t0);
    }
    // Let the last change's trailing writes (statuses) land before reading the counter.
    await ctl.controller.settled();
    await new Promise((r) => setTimeout(r, 500));
    await ctl.controller.settled();
    const writes = (await ctl.writes()) - before;
    return { label, samples, writesPerChange: writes / n };
  };
  const slices = await measure(
    'EndpointSlice changed in c1 → MCS slices in c2 and c3',
    CHANGES,
    (i) => applySlice(k[0]!, ns, 'hello', 'hello-src', [`198.18.${201 + Math.floor(i / 250)}.${(i % 250) + 1}`]),
    (i) => (o) => hasAddress(o, `198.18.${201 + Math.floor(i / 250)}.${(i % 250) + 1}`),
  );
  const exportsRun = await measure(
    'Service + ServiceExport created in c1 → ServiceImport in c2 and c3',
    EXPORTS,
    async (i) => {
      await createService(k[0]!, ns, `svc-${i}`);
      await createExport(k[0]!, ns, `svc-${i}`);
    },
    (i) => (o) => o.kind === 'ServiceImport' && o.metadata?.name === `svc-${i}`,
  );
  await ctl.stop();

  // The peer: a relay with no logic. A watch on c1's EndpointSlices copies each new address into a ConfigMap in
  // c2 and c3 (server-side apply), observed by the same watches.
  const relay = new Reflector({
    client: k[0]!,
    resource: RESOURCES.EndpointSlice,
    labelSelector: 'kubernetes.io/service-name=relayed',
    logger: silentLogger,
    onEvent: (e) => {
      if (e.type !== 'upsert') return;
      const ip = ((e.object.endpoints ?? []) as { addresses: string[] }[])[0]?.addresses[0] ?? '';
      for (const c of [k[1]!, k[2]!]) {
        void c.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/relay`, {
          query: { fieldManager: 'relay', force: true },
          contentType: 'application/apply-patch+yaml',
          body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'relay', namespace: ns, labels: { relay: 'bench' } },
            data: { ip },
          },
        });
      }
    },
  });
  relay.start();
  await new Promise((r) => setTimeout(r, 1000));
  const peer = await measure(
    'peer: logic-free relay c1 → ConfigMap in c2 and c3',
    CHANGES,
    (i) => applySlice(k[0]!, ns, 'relayed', 'relayed-src', [`198.19.${201 + Math.floor(i / 250)}.${(i % 250) + 1}`]),
    (i) => (o) =>
      o.kind === 'ConfigMap' &&
      (o as { data?: { ip?: string } }).data?.ip === `198.19.${201 + Math.floor(i / 250)}.${(i % 250) + 1}`,
  );
  await relay.stop();
  for (const r of reflectors) await r.stop();

  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
  };
  const peerP50 = pct(peer.samples, 50);
  const peerP99 = pct(peer.samples, 99);
  console.log(
    `\npropagation on 3 local member clusters (${CHANGES} slice changes, ${EXPORTS} new exports, one at a time)\n`,
  );
  console.log('| change | n | p50 ms | p99 ms | p50 / peer | p99 / peer | API writes per change |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of [slices, exportsRun, peer]) {
    const p50 = pct(r.samples, 50);
    const p99 = pct(r.samples, 99);
    console.log(
      `| ${r.label} | ${r.samples.length} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${(p50 / peerP50).toFixed(2)}× | ${(p99 / peerP99).toFixed(2)}× | ${r === peer ? '2 (by construction)' : r.writesPerChange.toFixed(2)} |`,
    );
  }
  console.log(
    '\nwrites per change: a slice change writes one MCS EndpointSlice per importing cluster (3 clusters import).',
  );
  console.log(
    'a new export writes, per importing cluster, the ServiceImport (spec and status) and, once, the exporting ServiceExport status.',
  );
} finally {
  await cs.stop();
}
