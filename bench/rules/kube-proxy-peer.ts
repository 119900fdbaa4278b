// The peer: kube-proxy nftables mode's layout (KEP-3866, pkg/proxy/nftables), written from its documented shape
// (not its code): a verdict map from ClusterIP . proto . port to a chain per service port, which picks with
// `numgen random mod N vmap` among one chain per endpoint, each marking hairpin traffic and doing the DNAT.
// Generated and applied the same way as ours: text, one `nft -f` transaction.
import { createHash } from 'node:crypto';
import type { SyntheticService } from './synthetic.ts';

export const PEER_TABLE = 'kube-proxy-peer';
const T = `ip ${PEER_TABLE}`;

function hashed(prefix: string, name: string): string {
  const h = createHash('sha256')
    .update(name)
    .digest('base64')
    .replace(/[^A-Z2-7]/gi, '')
    .toUpperCase()
    .slice(0, 8);
  return `${prefix}-${h}-${name}`;
}

function serviceChain(s: SyntheticService): string {
  return hashed('service', `bench/svc-${s.index}/tcp/p80`);
}

function endpointChain(s: SyntheticService, ep: string): string {
  return hashed('endpoint', `bench/svc-${s.index}/tcp/p80__${ep}/8080`);
}

function serviceText(s: SyntheticService, out: string[], freshServiceChain: boolean): void {
  const svc = serviceChain(s);
  if (freshServiceChain) out.push(`add chain ${T} ${svc}`);
  else out.push(`add chain ${T} ${svc}`, `flush chain ${T} ${svc}`);
  const picks: string[] = [];
  s.endpoints.forEach((ep, i) => {
    const chain = endpointChain(s, ep);
    out.push(
      `add chain ${T} ${chain}`,
      `flush chain ${T} ${chain}`,
      `add rule ${T} ${chain} ip saddr ${ep} jump mark-for-masquerade`,
      `add rule ${T} ${chain} meta l4proto tcp dnat to ${ep}:8080`,
    );
    picks.push(`${i} : goto ${chain}`);
  });
  out.push(`add rule ${T} ${svc} numgen random mod ${s.endpoints.length} vmap { ${picks.join(', ')} }`);
}

export function peerFull(services: SyntheticService[]): string {
  const out = [
    `add table ${T}`,
    `delete table ${T}`,
    `add table ${T}`,
    `add map ${T} service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }`,
    `add chain ${T} mark-for-masquerade`,
    `add rule ${T} mark-for-masquerade mark set mark or 0x4000`,
    `add chain ${T} services`,
    `add rule ${T} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add chain ${T} nat-prerouting { type nat hook prerouting priority -100; }`,
    `add rule ${T} nat-prerouting jump services`,
    `add chain ${T} nat-output { type nat hook output priority -100; }`,
    `add rule ${T} nat-output jump services`,
  ];
  const elements: string[] = [];
  for (const s of services) {
    serviceText(s, out, true);
    elements.push(`${s.vip} . tcp . 80 : goto ${serviceChain(s)}`);
  }
  for (let i = 0; i < elements.length; i += 8192) {
    out.push(`add element ${T} service-ips { ${elements.slice(i, i + 8192).join(', ')} }`);
  }
  out.push('');
  return out.join('\n');
}

/** One service's endpoints changed: kube-proxy rewrites that service's chains (and only those). */
export function peerDelta(before: SyntheticService, after: SyntheticService): string {
  const out: string[] = [];
  serviceText(after, out, false);
  for (const ep of before.endpoints) {
    if (!after.endpoints.includes(ep)) out.push(`delete chain ${T} ${endpointChain(before, ep)}`);
  }
  out.push('');
  return out.join('\n');
}
