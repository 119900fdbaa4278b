// The fixed layout of the agent's nftables table: names of sets, maps and chains, and the text of the few rules.
// Dynamic state lives only in set and map elements. The only chains that vary are the shared "pick" chains, one per
// endpoint count (not one per service), so the rule count stays small whatever the number of services.
//
// Lookup path of a new connection to ClusterSetIP:port/proto (first packet only: conntrack NATs the rest):
//   services:      jump service-ports
//                  ip daddr @pick4-N-vips goto pick4-N          (one rule per pick chain)
//                  ip daddr @no-endpoints-vips4 goto no-endpoints
//   service-ports: ip daddr . l4proto . dport @pick4-N-ports goto pick4-N   (services whose ports differ in count)
//   pick4-N:       dnat to (ip daddr . l4proto . dport . numgen random mod N) map @endpoints4
//                  reject                                      (no element: unknown port, or port without endpoints)
// Most services have the same endpoints behind every port: they cost one set element plus one per endpoint.
// Plain sets, not verdict maps: the kernel re-validates every element of a verdict map whenever one is added
// (measured: ~60 ms at 100k elements), which would make a one-service delta O(total services).
import type { IPFamily } from '../mcs/types.ts';

export const TABLE_FAMILY = 'inet';
export const DEFAULT_TABLE = 'clusterset';

export const GENERATION_SET = 'generation';
export const SERVICES_CHAIN = 'services';
export const SERVICE_PORTS_CHAIN = 'service-ports';
/** Where a ClusterSetIP without any endpoint goes: refuse the connection. */
export const NO_ENDPOINTS_CHAIN = 'no-endpoints';
// port-unreachable: what kube-proxy sends for a Service without endpoints; TCP and UDP clients see ECONNREFUSED.
export const REJECT_RULE = 'reject with icmpx type port-unreachable';
export const BASE_CHAINS = [
  { name: 'nat-prerouting', hook: 'prerouting' },
  { name: 'nat-output', hook: 'output' },
] as const;
// dstnat, as kube-proxy's DNAT chains: our ClusterSetIPs never overlap ClusterIPs, so the order between the two
// tables at the same priority does not matter.
export const NAT_PRIORITY = -100;

// A fixed seed keeps the client → endpoint hash the same across agent restarts and nodes.
export const AFFINITY_SEED = '0x6d637331';

export interface FamilyNames {
  v: '4' | '6';
  ipKeyword: 'ip' | 'ip6';
  addrType: 'ipv4_addr' | 'ipv6_addr';
  noEndpointVips: string;
  endpoints: string;
}

export const FAMILIES: Record<IPFamily, FamilyNames> = {
  IPv4: {
    v: '4',
    ipKeyword: 'ip',
    addrType: 'ipv4_addr',
    noEndpointVips: 'no-endpoints-vips4',
    endpoints: 'endpoints4',
  },
  IPv6: {
    v: '6',
    ipKeyword: 'ip6',
    addrType: 'ipv6_addr',
    noEndpointVips: 'no-endpoints-vips6',
    endpoints: 'endpoints6',
  },
};

export interface PickChain {
  family: IPFamily;
  affinity: boolean;
  count: number;
}

/** The shared chain that picks among `count` endpoints: at random, or by a hash of the client address. */
export function pickChainName(family: IPFamily, affinity: boolean, count: number): string {
  return `${affinity ? 'affinity' : 'pick'}${FAMILIES[family].v}-${count}`;
}

export function parsePickChainName(name: string): PickChain | undefined {
  const m = /^(pick|affinity)([46])-([1-9][0-9]*)$/.exec(name);
  if (m === null) return undefined;
  return { family: m[2] === '4' ? 'IPv4' : 'IPv6', affinity: m[1] === 'affinity', count: Number(m[3]) };
}

/** Pick chains for 1..PRECREATED_COUNT endpoints exist from every full transaction on, so that a delta only links
 * them (sets and rules that do not name the endpoint map). A count above it makes the agent rebuild in full once. */
export const PRECREATED_COUNT = 16;

export function precreatedPickChains(): string[] {
  const out: string[] = [];
  for (const family of ['IPv4', 'IPv6'] as const) {
    for (const affinity of [false, true]) {
      for (let count = 1; count <= PRECREATED_COUNT; count++) out.push(pickChainName(family, affinity, count));
    }
  }
  return out;
}

/** ClusterSetIPs whose every served port goes to this pick chain. */
export const vipSetOf = (chain: string): string => `${chain}-vips`;
/** ClusterSetIP . proto . port of services whose ports differ in endpoint count. */
export const portSetOf = (chain: string): string => `${chain}-ports`;

export function pickChainRules(chain: PickChain): string[] {
  const f = FAMILIES[chain.family];
  const slot = chain.affinity
    ? `jhash ${f.ipKeyword} saddr mod ${chain.count} seed ${AFFINITY_SEED}`
    : `numgen random mod ${chain.count}`;
  const dnat = `dnat ${f.ipKeyword} to ${f.ipKeyword} daddr . meta l4proto . th dport . ${slot} map @${f.endpoints}`;
  return [dnat, REJECT_RULE];
}

export interface Declaration {
  kind: 'set' | 'map';
  name: string;
  body: string;
}

/** The sets of one pick chain, and the rules that lead to it (appended to services / service-ports). */
export function pickChainLinks(
  name: string,
  chain: PickChain,
): { sets: Declaration[]; services: string; ports: string } {
  const f = FAMILIES[chain.family];
  return {
    sets: [
      { kind: 'set', name: vipSetOf(name), body: `type ${f.addrType};` },
      { kind: 'set', name: portSetOf(name), body: `type ${f.addrType} . inet_proto . inet_service;` },
    ],
    services: `${f.ipKeyword} daddr @${vipSetOf(name)} goto ${name}`,
    ports: `${f.ipKeyword} daddr . meta l4proto . th dport @${portSetOf(name)} goto ${name}`,
  };
}

/** Declarations of the static sets and maps. */
export function staticDeclarations(): Declaration[] {
  const out: Declaration[] = [{ kind: 'set', name: GENERATION_SET, body: 'type mark;' }];
  for (const f of Object.values(FAMILIES)) {
    out.push({ kind: 'set', name: f.noEndpointVips, body: `type ${f.addrType};` });
    // typeof: the slot is a numgen/jhash result, whose integer type has no `type` keyword of its own. The data must
    // say `th dport`: `tcp dport` there makes nft add "meta l4proto tcp" to every DNAT through the map. nft 1.0.6
    // cannot re-read this typeof from the kernel, so a rule that names the map can only be added in the transaction
    // that declares it: the full one (see PRECREATED_COUNT).
    out.push({
      kind: 'map',
      name: f.endpoints,
      body: `typeof ${f.ipKeyword} daddr . meta l4proto . th dport . numgen random mod 1 : ${f.ipKeyword} daddr . th dport;`,
    });
  }
  return out;
}

/** Static rules of the services chain, before the per-pick-chain ones. */
export function servicesChainRules(): string[] {
  const rules = [`jump ${SERVICE_PORTS_CHAIN}`];
  for (const f of Object.values(FAMILIES)) {
    rules.push(`${f.ipKeyword} daddr @${f.noEndpointVips} goto ${NO_ENDPOINTS_CHAIN}`);
  }
  return rules;
}

/** How many rules each chain holds: what drift detection compares. `linked`: pick chains with sets and links. */
export function expectedRuleCounts(linked: Iterable<string>, pickChains: Iterable<string>): Map<string, number> {
  const chains = [...pickChains];
  const links = [...linked].length;
  const out = new Map<string, number>([
    [SERVICES_CHAIN, servicesChainRules().length + links],
    [SERVICE_PORTS_CHAIN, links],
    [NO_ENDPOINTS_CHAIN, 1],
  ]);
  for (const base of BASE_CHAINS) out.set(base.name, 1);
  for (const name of chains) {
    const chain = parsePickChainName(name);
    if (chain !== undefined) out.set(name, pickChainRules(chain).length);
  }
  return out;
}
