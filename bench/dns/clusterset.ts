// A realistic generated clusterset for the DNS benchmark: deterministic (seeded), so our server and Knot serve
// exactly the same records, built from the same ServiceViews. Addresses come from 198.18.0.0/15 and 2001:db8::/32.
import type { EndpointGroup, ServiceView } from '../../src/mcs/types.ts';

export interface GeneratedClusterset {
  views: ServiceView[];
  /** Query lines for dnsperf ("name TYPE"), in the benchmark's mix. */
  queries: string[];
}

/** Small fast PRNG (mulberry32): the same seed gives the same clusterset everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CLUSTERS = ['east', 'west', 'north'];

export function generateClusterset(services = 1000, headlessShare = 0.2, seed = 1645): GeneratedClusterset {
  const rand = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const views: ServiceView[] = [];
  const a: string[] = [];
  const aaaa: string[] = [];
  const srv: string[] = [];
  const headless: string[] = [];
  let podIp = 0;
  for (let i = 0; i < services; i++) {
    const namespace = `team-${i % 25}`;
    const name = `svc-${i}`;
    const base = `${name}.${namespace}.svc.clusterset.local`;
    const ports = [
      { name: 'http', protocol: 'TCP' as const, port: 80 },
      { name: 'grpc', protocol: 'TCP' as const, port: 9090 },
    ];
    const common = {
      key: `${namespace}/${name}` as const,
      namespace,
      name,
      ports,
      sessionAffinity: 'None' as const,
      labels: {},
      annotations: {},
      importers: CLUSTERS,
      exporters: [],
    };
    if (rand() >= headlessShare) {
      const dual = rand() < 0.25;
      const v4 = `198.18.${128 + Math.floor(i / 250)}.${i % 250}`;
      const ips = dual ? [v4, `2001:db8:cafe::${i.toString(16)}`] : [v4];
      views.push({
        ...common,
        type: 'ClusterSetIP',
        ips,
        ipFamilies: dual ? ['IPv4', 'IPv6'] : ['IPv4'],
        endpointsBySource: new Map(),
      });
      a.push(`${base} A`);
      if (dual) aaaa.push(`${base} AAAA`);
      srv.push(`_http._tcp.${base} SRV`);
      continue;
    }
    const bySource = new Map<string, EndpointGroup[]>();
    const clusters = CLUSTERS.slice(0, 1 + Math.floor(rand() * 2));
    for (const cluster of clusters) {
      const count = 2 + Math.floor(rand() * 4);
      const statefulSet = rand() < 0.5;
      const endpoints = Array.from({ length: count }, (_, j) => {
        podIp++;
        const address = `198.19.${Math.floor(podIp / 250)}.${1 + (podIp % 250)}`;
        return {
          addresses: [address],
          ready: j < count - 1 || rand() < 0.7,
          serving: true,
          terminating: false,
          ...(statefulSet ? { hostname: `${name}-${j}` } : {}),
        };
      });
      bySource.set(cluster, [{ addressType: 'IPv4', ports, endpoints }]);
      const first = endpoints[0];
      if (first) {
        const host = first.hostname ?? (first.addresses[0] ?? '').replace(/\./g, '-');
        headless.push(`${host}.${cluster}.${base} A`);
      }
    }
    views.push({ ...common, type: 'Headless', ips: [], ipFamilies: ['IPv4'], endpointsBySource: bySource });
    headless.push(`${base} A`);
    srv.push(`_http._tcp.${base} SRV`);
  }
  // The mix: 40% A, 10% AAAA, 15% SRV, 20% headless (service and per-host names), 15% NXDOMAIN.
  const queries: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const r = rand();
    if (r < 0.4) queries.push(pick(a));
    else if (r < 0.5) queries.push(aaaa.length ? pick(aaaa) : pick(a));
    else if (r < 0.65) queries.push(pick(srv));
    else if (r < 0.85) queries.push(pick(headless));
    else queries.push(`missing-${Math.floor(rand() * 5000)}.team-${i % 25}.svc.clusterset.local A`);
  }
  return { views, queries };
}
